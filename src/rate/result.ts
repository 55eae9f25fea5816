/** @internal The mutable answer a memory store fills in and hands back (read at once). */
export interface MutableResult {
  allowed: boolean;
  retryAfter: number;
  remaining: number;
}

export function answer(out: MutableResult, allowed: boolean, retryAfter: number, remaining: number): MutableResult {
  out.allowed = allowed;
  out.retryAfter = retryAfter;
  out.remaining = remaining;
  return out;
}
