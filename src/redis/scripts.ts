/**
 * @internal The three limiter steps as Lua, one script per algorithm. Each is the pure step of
 * `src/rate` (gcra.ts, slidingLog.ts, fixedCount.ts) line for line, run atomically on Redis over
 * one key. Numbers travel as strings printed with 17 significant digits, so a double crosses
 * Lua, Redis and JavaScript unchanged, and the answers equal the memory store's to the bit.
 *
 * KEYS[1]: the record. ARGV: now ('' reads Redis TIME), cost, queued, then the parameters.
 * Reply: { allowed 1 | 0, retryAfter, remaining }.
 */

const PRELUDE = `
local fmt = string.format
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = t[1] * 1000 + t[2] / 1000
else
  now = tonumber(ARGV[1])
end
local cost = tonumber(ARGV[2])
local queued = tonumber(ARGV[3])
local key = KEYS[1]
`;

/** gcra.ts `takeTokens`; ARGV[4] capacity, ARGV[5] interval. The record is one string: idleAt. */
export const TOKEN_BUCKET = `${PRELUDE}
local interval = tonumber(ARGV[5])
local burst = tonumber(ARGV[4]) * interval
local stored = redis.call('GET', key)
local idleAt = now
if stored then idleAt = tonumber(stored) end
local full = now
if idleAt > now then full = idleAt end
local admitAt = full + (queued + 1) * cost * interval - burst
if queued == 0 and admitAt <= now + (1e-9 + math.abs(now) * 4e-15) then
  idleAt = full + cost * interval
  redis.call('SET', key, fmt('%.17g', idleAt), 'PX', math.max(1, math.ceil(idleAt - now)))
  return { 1, '0', fmt('%.17g', math.max(0, (burst - (idleAt - now)) / interval)) }
end
return { 0, fmt('%.17g', math.max(0, admitAt - now)), fmt('%.17g', (burst - (full - now)) / interval) }
`;

/**
 * slidingLog.ts `takeFromLog`; ARGV[4] limit, ARGV[5] window. The record is a sorted set of
 * admitted units scored by time (one member per unit). Expired units (t + window <= now) are a
 * prefix of the set: counted by score, then checked at the boundary with the step's own test.
 */
export const SLIDING_WINDOW = `${PRELUDE}
local limit = tonumber(ARGV[4])
local window = tonumber(ARGV[5])
local function expired(rank)
  local entry = redis.call('ZRANGE', key, rank, rank, 'WITHSCORES')
  return entry[2] ~= nil and tonumber(entry[2]) + window <= now
end
local start = redis.call('ZCOUNT', key, '-inf', fmt('%.17g', now - window))
while start > 0 and not expired(start - 1) do start = start - 1 end
while expired(start) do start = start + 1 end
if start > 0 then redis.call('ZREMRANGEBYRANK', key, 0, start - 1) end
local count = redis.call('ZCARD', key)
if queued == 0 and count + cost <= limit then
  local seq = count
  for i = 1, cost do
    seq = seq + 1
    while redis.call('ZADD', key, 'NX', fmt('%.17g', now), fmt('%.17g', now) .. ':' .. seq) == 0 do seq = seq + 1 end
  end
  redis.call('PEXPIRE', key, math.max(1, math.ceil(window)))
  return { 1, '0', fmt('%.17g', limit - count - cost) }
end
local m = count + (queued + 1) * cost - 1
local windows = 0
local unit = m - limit
while unit >= count do
  local j = math.floor((unit - count) / cost)
  m = count + (j + 1) * cost - 1
  unit = m - limit
  windows = windows + 1
end
local base = now
if unit >= 0 then base = tonumber(redis.call('ZRANGE', key, unit, unit, 'WITHSCORES')[2]) + window end
return { 0, fmt('%.17g', math.max(0, base + windows * window - now)), fmt('%.17g', math.max(0, limit - count)) }
`;

/** fixedCount.ts `takeFromCount`; ARGV[4] limit, ARGV[5] window. The record is a hash { w, c }. */
export const FIXED_WINDOW = `${PRELUDE}
local limit = tonumber(ARGV[4])
local window = tonumber(ARGV[5])
local windowStart = math.floor(now / window) * window
local record = redis.call('HMGET', key, 'w', 'c')
local count = 0
if record[1] and tonumber(record[1]) == windowStart then count = tonumber(record[2]) end
local left = limit - count
if queued == 0 and cost <= left then
  count = count + cost
  redis.call('HSET', key, 'w', fmt('%.17g', windowStart), 'c', fmt('%.17g', count))
  redis.call('PEXPIRE', key, math.max(1, math.ceil(windowStart + window - now)))
  return { 1, '0', fmt('%.17g', left - cost) }
end
local fitNow = math.floor(math.max(0, left) / cost)
if queued < fitNow then return { 0, '0', fmt('%.17g', left) } end
local later = 1 + math.floor((queued - fitNow) / math.floor(limit / cost))
return { 0, fmt('%.17g', windowStart + later * window - now), fmt('%.17g', math.max(0, left)) }
`;
