/**
 * Config edges: policy names that are Object.prototype keys, a config source that errors or throws,
 * values refused by a factory named the way the user wrote them, and decimal-only env overrides.
 */
import { BehaviorSubject, concat, map, NEVER, Observable, of, Subject, throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, ConfigError, type CircuitBreaker, type RegistryEvent, type RegistryStates } from 'rx-resilience';
import { fromConfig } from 'rx-resilience/config';

function refusal(run: () => unknown): ConfigError {
  let thrown: unknown;
  try { run(); } catch (e) { thrown = e; }
  expect(thrown).toBeInstanceOf(ConfigError);
  return thrown as ConfigError;
}

const INHERITED = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

describe('policies named like Object.prototype keys', () => {
  it.each(INHERITED)('%s appears in names(), get(), snapshot() and states$ like any other', (name) => {
    const yaml = `circuit_breakers:\n  ${name}:\n    timeout: 3\nbulkheads:\n  ${name}_pool:\n    max_concurrent: 2\n`;
    const env = { [`RESILIENCE_CIRCUIT_BREAKER_${name.toUpperCase()}_FAILURE_THRESHOLD`]: '1' };
    const registry = fromConfig(yaml, { env, scheduler: new VirtualTimeScheduler() });
    expect(registry.names()).toEqual([name, `${name}_pool`]);
    const snapshot = registry.snapshot();
    expect(Object.keys(snapshot)).toEqual([name, `${name}_pool`]);
    expect(Object.hasOwn(snapshot, name)).toBe(true);
    expect(snapshot[name]).toMatchObject({ name, kind: 'circuit-breaker', stats: { state: 'closed' } });
    const states: RegistryStates[] = [];
    registry.states$.subscribe((s) => states.push(s));
    expect(Object.keys(states.at(-1)!)).toEqual([name, `${name}_pool`]);
    expect(states.at(-1)![name]).toBe('closed');
    // One failure opens it (the env override applied): states$ follows.
    registry.get<CircuitBreaker>(name)!(throwError(() => new Error('x'))).subscribe({ error: () => undefined });
    expect(states.at(-1)![name]).toBe('open');
    expect(registry.snapshot()[name]).toMatchObject({ stats: { state: 'open' } });
  });

  it('a name that is not registered reads undefined, even an inherited one', () => {
    const registry = fromConfig({ circuit_breakers: { db: {} } }, { env: {} });
    const states: RegistryStates[] = [];
    registry.states$.subscribe((s) => states.push(s));
    for (const name of INHERITED) {
      expect(registry.snapshot()[name]).toBeUndefined();
      expect(states.at(-1)![name]).toBeUndefined();
      expect(registry.get(name)).toBeUndefined();
    }
  });

  it('a reload changes a policy named __proto__ in place', () => {
    const config$ = new BehaviorSubject<string>('circuit_breakers:\n  __proto__:\n    failure_threshold: 3\n');
    const registry = fromConfig(config$, { env: {} });
    const events: RegistryEvent[] = [];
    registry.events$.subscribe((e) => events.push(e));
    config$.next('circuit_breakers:\n  __proto__:\n    failure_threshold: 4\n');
    expect(events).toEqual([expect.objectContaining({ type: 'reconfigured', changed: [{ name: '__proto__', kind: 'circuit-breaker', fields: ['failure_threshold'] }] })]);
  });
});

const GOOD = 'circuit_breakers:\n  db:\n    failure_threshold: 1\n';
const BAD = 'circuit_breakers:\n  db:\n    failure_threshold: 0\n';

describe('a config source that is refused, errors or throws after a config was applied', () => {
  const follow = (source: Observable<string>) => {
    const scheduler = new VirtualTimeScheduler();
    const registry = fromConfig(source, { env: {}, scheduler });
    const events: RegistryEvent[] = [];
    registry.events$.subscribe((e) => events.push(e));
    scheduler.flush();
    const rejected = events.filter((e): e is Extract<RegistryEvent, { type: 'config-rejected' }> => e.type === 'config-rejected');
    return { registry, rejected };
  };
  const works = (registry: ReturnType<typeof fromConfig>) => {
    const db = registry.get<CircuitBreaker>('db')!;
    db(throwError(() => new Error('x'))).subscribe({ error: () => undefined });
    expect(db.stats().state).toBe('open'); // failure_threshold 1 from the good config
  };

  it('of(good, bad): the good one stays, the bad one is a config-rejected event seen by a subscriber added at once', () => {
    const { registry, rejected } = follow(of(GOOD, BAD));
    expect(rejected).toHaveLength(1);
    expect((rejected[0]!.error as ConfigError).field).toBe('circuit_breakers.db.failure_threshold');
    works(registry);
  });

  it('of(bad, good): the good one is applied, the bad one rejected', () => {
    const { registry, rejected } = follow(of(BAD, GOOD));
    expect(rejected).toHaveLength(1);
    works(registry);
  });

  it('a source that errors at once after a config', () => {
    const error = new Error('watcher died');
    const { registry, rejected } = follow(concat(of(GOOD), throwError(() => error)));
    expect(rejected.map((e) => e.error)).toEqual([error]);
    works(registry);
  });

  it('a source whose subscribe function throws after a config', () => {
    const error = new TypeError('source threw');
    const { registry, rejected } = follow(new Observable<string>((subscriber) => {
      subscriber.next(GOOD);
      throw error;
    }));
    expect(rejected.map((e) => e.error)).toEqual([error]);
    works(registry);
  });

  it('a source whose pipeline throws later, and one that errors later', () => {
    const scheduler = new VirtualTimeScheduler();
    const input = new Subject<string>();
    const registry = fromConfig(input.pipe(map((text) => {
      if (text === 'explode') throw new RangeError('parse failed');
      return text;
    })), { env: {}, scheduler });
    const events: RegistryEvent[] = [];
    registry.events$.subscribe((e) => events.push(e));
    input.next(GOOD);
    input.next('explode');
    expect(events.filter((e) => e.type === 'config-rejected').map((e) => (e as { error: Error }).error.message)).toEqual(['parse failed']);
    works(registry);

    const other = new Subject<string>();
    const second = fromConfig(other, { env: {} });
    const seen: RegistryEvent[] = [];
    second.events$.subscribe((e) => seen.push(e));
    other.next(GOOD);
    other.error(new Error('gone'));
    expect(seen.filter((e) => e.type === 'config-rejected')).toHaveLength(1);
    works(second);
  });

  it('a config that adds a name registered by hand is refused whole; the hand-registered policy stays', () => {
    const config$ = new BehaviorSubject<string>(GOOD);
    const registry = fromConfig(config$, { env: {} });
    const mine = registry.register('extra', circuitBreaker({ name: 'extra' }));
    const events: RegistryEvent[] = [];
    registry.events$.subscribe((e) => events.push(e));
    config$.next(`${GOOD}bulkheads:\n  pool:\n    max_concurrent: 1\n  extra:\n    max_concurrent: 1\n`);
    expect(events.map((e) => e.type)).toEqual(['config-rejected']);
    expect((events[0] as { error: ConfigError }).error.field).toBe('bulkheads.extra');
    expect(registry.names()).toEqual(['db', 'extra']);
    expect(registry.get('extra')).toBe(mine);
    expect(registry.kindOf('extra')).toBe('circuit-breaker');
  });

  it('throws when nothing was applied while fromConfig ran: a bad first config, a source that fails at once', () => {
    expect(refusal(() => fromConfig(of(BAD), { env: {} })).field).toBe('circuit_breakers.db.failure_threshold');
    const error = new Error('no file');
    expect(() => fromConfig(throwError(() => error), { env: {} })).toThrow(error);
  });
});

describe('a value refused by a factory is named the way the user wrote it', () => {
  it.each([
    ['circuit breaker timeout', 'circuit_breakers:\n  db:\n    timeout: 0.0000001\n', {}, 'circuit_breakers.db.timeout', 0.0000001, 'breakDuration'],
    ['retry max_retries', 'retry_policies:\n  r:\n    max_retries: 9007199254740991\n', {}, 'retry_policies.r.max_retries', 9007199254740991, 'maxAttempts'],
    ['retry max_elapsed', 'retry_policies:\n  r:\n    max_elapsed: 0.0000001\n', {}, 'retry_policies.r.max_elapsed', 0.0000001, 'maxElapsed'],
    ['timeout shorthand', 'timeouts:\n  t: 3000000\n', {}, 'timeouts.t', 3000000, 'duration'],
    ['timeout first', 'timeouts:\n  t:\n    first: 3000000\n', {}, 'timeouts.t.first', 3000000, 'first'],
    ['bulkhead queue_timeout', 'bulkheads:\n  b:\n    max_concurrent: 1\n    queue_timeout: 0.0000001\n', {}, 'bulkheads.b.queue_timeout', 0.0000001, 'queueTimeout'],
    ['window', 'rate_limits:\n  l:\n    algorithm: sliding_window\n    limit: 3\n    window: 0.0000001\n', {}, 'rate_limits.l.window', 0.0000001, 'window'],
    ['max_wait without wait mode', 'rate_limits:\n  l:\n    capacity: 5\n    refill_per_second: 1\n    max_wait: 0.5\n', {}, 'rate_limits.l.max_wait', 0.5, 'maxWait'],
    ['env timeout', 'circuit_breakers:\n  db: {}\n', { RESILIENCE_CIRCUIT_BREAKER_DB_TIMEOUT: '0.0000001' }, 'RESILIENCE_CIRCUIT_BREAKER_DB_TIMEOUT', '0.0000001', 'breakDuration'],
    ['env negative seconds', 'circuit_breakers:\n  db: {}\n', { RESILIENCE_CIRCUIT_BREAKER_DB_TIMEOUT: '-5' }, 'RESILIENCE_CIRCUIT_BREAKER_DB_TIMEOUT', '-5', 'seconds'],
    ['env fractional integer', 'bulkheads:\n  b:\n    max_concurrent: 1\n', { RESILIENCE_BULKHEAD_B_MAX_QUEUED: '1.5' }, 'RESILIENCE_BULKHEAD_B_MAX_QUEUED', '1.5', 'integer'],
    ['env max_delay below initial_delay', 'retry_policies:\n  r:\n    initial_delay: 1\n', { RESILIENCE_RETRY_POLICY_R_MAX_DELAY: '0.01' }, 'RESILIENCE_RETRY_POLICY_R_MAX_DELAY', '0.01', 'initial_delay'],
    ['env cost above capacity', 'rate_limits:\n  l:\n    capacity: 5\n    refill_per_second: 1\n', { RESILIENCE_RATE_LIMIT_L_COST: '10' }, 'RESILIENCE_RATE_LIMIT_L_COST', '10', 'capacity'],
    ['env field of another algorithm', 'rate_limits:\n  l:\n    capacity: 5\n    refill_per_second: 1\n', { RESILIENCE_RATE_LIMIT_L_LIMIT: '3' }, 'RESILIENCE_RATE_LIMIT_L_LIMIT', '3', 'algorithm'],
  ])('%s', (_title, yaml, env, field, value, mentions) => {
    const e = refusal(() => fromConfig(yaml, { env }));
    expect([e.field, e.value]).toEqual([field, value]);
    expect(e.policy).toBe('config');
    expect(e.message).toContain(mentions);
  });
});

describe('environment overrides are plain decimals, taken as written', () => {
  const variable = 'RESILIENCE_CIRCUIT_BREAKER_DB_TIMEOUT';
  const threshold = 'RESILIENCE_CIRCUIT_BREAKER_DB_FAILURE_THRESHOLD';
  it.each(['0x10', '0b1', '0o7', '', ' ', ' 5 ', '5 ', '\t5', '1e3', '1E3', 'Infinity', '-Infinity', 'NaN', '+5', '.5', '5.', '1_000', '1,5', '٥', '5s'])('%j is a ConfigError naming the variable and the text', (text) => {
    for (const name of [variable, threshold]) {
      const e = refusal(() => fromConfig({ circuit_breakers: { db: {} } }, { env: { [name]: text } }));
      expect([e.field, e.value]).toEqual([name, text]);
    }
  });

  it.each([['12', 12_000], ['0.5', 500], ['007', 7_000], ['2.25', 2_250], ['0', undefined]])('%j is read as a decimal number of seconds', (text, ms) => {
    const scheduler = new VirtualTimeScheduler();
    const env = { RESILIENCE_TIMEOUT_T_DURATION: text };
    if (ms === undefined) {
      expect(refusal(() => fromConfig({ timeouts: { t: 1 } }, { env, scheduler })).value).toBe(text);
      return;
    }
    const registry = fromConfig({ timeouts: { t: 1 } }, { env, scheduler });
    let at: number | undefined;
    registry.get('t')!(NEVER).subscribe({ error: () => (at = scheduler.now()) });
    scheduler.flush();
    expect(at).toBe(ms);
  });

  it('an integer field reads 12 as 12', () => {
    const registry = fromConfig({ circuit_breakers: { db: {} } }, { env: { [threshold]: '12' } });
    const db = registry.get<CircuitBreaker>('db')!;
    for (let i = 0; i < 11; i++) db(throwError(() => new Error('x'))).subscribe({ error: () => undefined });
    expect(db.stats().state).toBe('closed');
    db(throwError(() => new Error('x'))).subscribe({ error: () => undefined });
    expect(db.stats().state).toBe('open');
  });

  it('-1 is refused where a negative is invalid, naming the variable and the text', () => {
    const e = refusal(() => fromConfig({ circuit_breakers: { db: {} } }, { env: { [threshold]: '-1' } }));
    expect([e.field, e.value]).toEqual([threshold, '-1']);
  });

  it('booleans: true/false in any case, nothing trimmed', () => {
    const name = 'RESILIENCE_RETRY_POLICY_R_RESET_ON_SUCCESS';
    for (const text of ['TRUE', 'false', 'True']) expect(() => fromConfig({ retry_policies: { r: {} } }, { env: { [name]: text } })).not.toThrow();
    for (const text of [' true', 'true ', '1', 'yes', '']) expect(refusal(() => fromConfig({ retry_policies: { r: {} } }, { env: { [name]: text } })).value).toBe(text);
  });
});
