/**
 * One error hierarchy for every policy. Each error has a stable `code`, the name of the policy
 * that raised it as `policy`, and `retryAfter` (ms) where it is known.
 *
 * Guards (`isResilienceError`, `isLocalRejection`) check a brand and the `code`, not `instanceof`,
 * so they work across two copies of the package (ESM and CommonJS, or two versions).
 *
 * Rejections (`CircuitOpenError`, `BulkheadFullError`, `QueueTimeoutError`, `RateLimitedError`)
 * are raised on the hot path of a policy that says "no" to a call. They are built without a
 * stack trace: capturing one costs microseconds, and the origin of a rejection is always the
 * policy named in `policy`. An `InjectedFaultError` (a chaos fault, raised as often as its rate
 * says) skips it too. Every other error captures its stack.
 */

const BRAND = Symbol.for('rx-resilience/error');

/** The stable codes of every error this package raises. */
export type ResilienceErrorCode =
  | 'CONFIG_INVALID'
  | 'CIRCUIT_OPEN'
  | 'BULKHEAD_FULL'
  | 'QUEUE_TIMEOUT'
  | 'RATE_LIMITED'
  | 'TIME_LIMIT'
  | 'RETRIES_EXHAUSTED'
  | 'QUEUE_STORE'
  | 'FAILURE_RESULT'
  | 'INJECTED_FAULT';

/** Codes of the local rejections: they say nothing about the downstream's health. */
const REJECTION_CODES: ReadonlySet<string> = new Set(['CIRCUIT_OPEN', 'BULKHEAD_FULL', 'QUEUE_TIMEOUT', 'RATE_LIMITED']);

/**
 * Base of every error raised by rx-resilience.
 *
 * It has `Error.prototype` in its prototype chain (so `instanceof Error` holds and it prints as an
 * error) but does not call the `Error` constructor, which costs 0.3-3 µs in V8 even without a
 * stack. Errors that point at user code (a bad config, a time limit, retries exhausted) capture a
 * real stack with `Error.captureStackTrace`; rejections (`captureStack: false`) skip it and show a
 * one-line stack naming the policy.
 */
export class ResilienceError implements Error {
  declare readonly [BRAND]: true;
  declare readonly name: string;
  declare stack?: string;
  readonly message: string;
  /** Milliseconds after which the same call may succeed, where known. */
  readonly retryAfter: number | undefined;
  declare readonly cause?: unknown;

  constructor(
    readonly code: ResilienceErrorCode,
    readonly policy: string,
    message: string,
    options?: { retryAfter?: number | undefined; cause?: unknown; captureStack?: boolean },
  ) {
    this.message = message;
    this.retryAfter = options?.retryAfter;
    if (options !== undefined && 'cause' in options) (this as { cause?: unknown }).cause = options.cause;
    if (options?.captureStack !== false) Error.captureStackTrace(this, new.target);
  }

  /**
   * `instanceof` holds across copies of the package: an error of another copy (ES module and
   * CommonJS side by side) is an instance of this copy's class with the same code
   * (`e instanceof CircuitOpenError`), and of `ResilienceError` whatever its code. A subclass of
   * yours matches by its prototype chain only.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (!isResilienceError(value)) return false;
    return this === ResilienceError || CODES.get(this) === value.code;
  }
}
Object.setPrototypeOf(ResilienceError.prototype, Error.prototype);
Object.defineProperties(ResilienceError.prototype, {
  [BRAND]: { value: true },
  [Symbol.toStringTag]: { value: 'Error' },
  // Only errors built without a captured stack reach this accessor.
  stack: {
    get(this: ResilienceError) {
      return `${this.name}: ${this.message}\n    at ${this.policy} (rejected by rx-resilience; no stack is captured for rejections)`;
    },
    set(this: ResilienceError, value: unknown) {
      Object.defineProperty(this, 'stack', { value, writable: true, configurable: true });
    },
    configurable: true,
  },
});

/** A configuration was refused when the policy was built. */
export class ConfigError extends ResilienceError {
  constructor(
    policy: string,
    /** Path of the bad field, e.g. `strategy.failureRateThreshold`. */
    readonly field: string,
    /** The value that was given. */
    readonly value: unknown,
    /** What is allowed, in words, e.g. "a number in (0, 1]". */
    readonly allowed: string,
  ) {
    super('CONFIG_INVALID', policy, `${policy}: ${field} must be ${allowed}, got ${describe(value)}`);
  }
}

/** The circuit breaker refused the call: it is open, isolated, or out of half-open trial slots. */
export class CircuitOpenError extends ResilienceError {
  constructor(
    policy: string,
    /** The state that refused the call. */
    readonly state: 'open' | 'half-open' | 'isolated',
    retryAfter: number | undefined,
  ) {
    super('CIRCUIT_OPEN', policy, circuitMessage(policy, state, retryAfter), { retryAfter, captureStack: false });
  }
}

/** The bulkhead's slots and queue were full. */
export class BulkheadFullError extends ResilienceError {
  constructor(policy: string, readonly maxConcurrent: number, readonly maxQueued: number) {
    super('BULKHEAD_FULL', policy, `${policy}: bulkhead full (${maxConcurrent} running, ${maxQueued} queued)`, { captureStack: false });
  }
}

/** A call waited in a bulkhead's queue longer than `queueTimeout`. */
export class QueueTimeoutError extends ResilienceError {
  constructor(policy: string, readonly queueTimeout: number) {
    super('QUEUE_TIMEOUT', policy, `${policy}: waited ${queueTimeout} ms in the queue`, { captureStack: false });
  }
}

/** A rate limiter refused the call; `retryAfter` is the first instant it would be admitted. */
export class RateLimitedError extends ResilienceError {
  constructor(policy: string, retryAfter: number | undefined, readonly key?: string) {
    super('RATE_LIMITED', policy, `${policy}: rate limited${key === undefined ? '' : ` for key ${key}`}${retryAfter === undefined ? '' : `, retry after ${retryAfter} ms`}`, { retryAfter, captureStack: false });
  }
}

/** A call ran past its time limit; its source was unsubscribed first. */
export class TimeLimitError extends ResilienceError {
  constructor(policy: string, readonly limit: 'duration' | 'first' | 'each', readonly after: number) {
    super('TIME_LIMIT', policy, `${policy}: no ${limit === 'duration' ? 'completion' : limit === 'first' ? 'first value' : 'next value'} within ${after} ms`);
  }
}

/** A retry gave up; `cause` is the last error and `attempts` the attempts made. */
export class RetriesExhaustedError extends ResilienceError {
  constructor(policy: string, readonly attempts: number, cause: unknown, readonly reason: string) {
    super('RETRIES_EXHAUSTED', policy, `${policy}: gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} (${reason})`, { cause });
  }
}

/** A queue store cannot be used: locked by another process, corrupted in the middle, or closed. */
export class QueueStoreError extends ResilienceError {
  constructor(
    policy: string,
    readonly reason: 'locked' | 'corrupt' | 'closed',
    message: string,
    /** The file concerned, where there is one. */
    readonly file?: string,
    /** The byte offset of a corrupted record. */
    readonly offset?: number,
  ) {
    super('QUEUE_STORE', policy, `${policy}: ${message}`);
  }
}

/**
 * A call's value matched `isFailureResult` and a fallback replaced it: what `fallback`'s
 * alternative, `fallbackLadder`'s rungs and their `events$` get as the error. `value` is that value.
 */
export class FailureResultError<T = unknown> extends ResilienceError {
  constructor(policy: string, readonly value: T) {
    super('FAILURE_RESULT', policy, `${policy}: a value was judged a failure by isFailureResult`, { captureStack: false });
  }
}

/**
 * A fault injected on purpose by a `chaos()` policy (the default of `errorFault()`). It is not a
 * local rejection: it stands for the dependency failing, so a breaker counts it as a failure.
 */
export class InjectedFaultError extends ResilienceError {
  constructor(policy: string, readonly call: number) {
    super('INJECTED_FAULT', policy, `${policy}: fault injected into call ${call}`, { captureStack: false });
  }
}
/** The code of each class, for `instanceof` across copies. */
const CODES = new Map<unknown, ResilienceErrorCode>([
  [ConfigError, 'CONFIG_INVALID'], [CircuitOpenError, 'CIRCUIT_OPEN'], [BulkheadFullError, 'BULKHEAD_FULL'], [QueueTimeoutError, 'QUEUE_TIMEOUT'],
  [RateLimitedError, 'RATE_LIMITED'], [TimeLimitError, 'TIME_LIMIT'], [RetriesExhaustedError, 'RETRIES_EXHAUSTED'], [QueueStoreError, 'QUEUE_STORE'],
  [FailureResultError, 'FAILURE_RESULT'], [InjectedFaultError, 'INJECTED_FAULT'],
]);

// `name` lives on each prototype (not on every instance), so building an error stays cheap.
for (const [cls, name] of [
  [ResilienceError, 'ResilienceError'], [ConfigError, 'ConfigError'], [CircuitOpenError, 'CircuitOpenError'],
  [BulkheadFullError, 'BulkheadFullError'], [QueueTimeoutError, 'QueueTimeoutError'], [RateLimitedError, 'RateLimitedError'],
  [TimeLimitError, 'TimeLimitError'], [RetriesExhaustedError, 'RetriesExhaustedError'], [QueueStoreError, 'QueueStoreError'],
  [FailureResultError, 'FailureResultError'],
  [InjectedFaultError, 'InjectedFaultError'],
] as const) {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
}

/** The class of the errors raised with each code. */
export interface ResilienceErrorByCode {
  CONFIG_INVALID: ConfigError;
  CIRCUIT_OPEN: CircuitOpenError;
  BULKHEAD_FULL: BulkheadFullError;
  QUEUE_TIMEOUT: QueueTimeoutError;
  RATE_LIMITED: RateLimitedError;
  TIME_LIMIT: TimeLimitError;
  RETRIES_EXHAUSTED: RetriesExhaustedError;
  QUEUE_STORE: QueueStoreError;
  FAILURE_RESULT: FailureResultError;
  INJECTED_FAULT: InjectedFaultError;
}

/**
 * True for any error raised by rx-resilience (any copy of it), optionally with the given code; with
 * a code it narrows to that code's class (`isResilienceError(e, 'CIRCUIT_OPEN')` gives `e.state`).
 * It looks at `error` only: `findResilienceError` also looks through `cause`.
 */
export function isResilienceError<C extends ResilienceErrorCode>(error: unknown, code: C): error is ResilienceErrorByCode[C];
export function isResilienceError(error: unknown, code?: ResilienceErrorCode): error is ResilienceError;
export function isResilienceError(error: unknown, code?: ResilienceErrorCode): error is ResilienceError {
  return typeof error === 'object' && error !== null && (error as { [BRAND]?: unknown })[BRAND] === true &&
    (code === undefined || (error as ResilienceError).code === code);
}

/** How many `cause` links `findResilienceError` follows before it stops. */
export const MAX_CAUSE_DEPTH = 32;

/**
 * The first error with `code` along the `cause` chain that starts at `error` (`error` itself when it
 * matches), or `undefined`. It finds the `CIRCUIT_OPEN` inside a `RETRIES_EXHAUSTED`, and inside
 * your own errors that keep theirs as `cause`. The walk stops at a cycle and after
 * `MAX_CAUSE_DEPTH` links; an `AggregateError`'s `errors` are not searched.
 */
export function findResilienceError<C extends ResilienceErrorCode>(error: unknown, code: C): ResilienceErrorByCode[C] | undefined {
  const seen = new Set<unknown>();
  let current = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null && !seen.has(current); depth++) {
    if (isResilienceError(current, code)) return current;
    seen.add(current);
    current = causeOf(current);
  }
  return undefined;
}

/** `cause`, read without running a throwing getter into the caller. */
function causeOf(error: object): unknown {
  try {
    return (error as { cause?: unknown }).cause;
  } catch {
    return undefined;
  }
}

/** True for our own local rejections, which an outer breaker always ignores (docs/decisions.md, decision 3). */
export function isLocalRejection(error: unknown): error is ResilienceError {
  return isResilienceError(error) && REJECTION_CODES.has(error.code);
}

function circuitMessage(policy: string, state: string, retryAfter: number | undefined): string {
  if (state === 'half-open') return `${policy}: circuit half-open, all trial slots busy`;
  if (state === 'isolated') return `${policy}: circuit isolated`;
  return `${policy}: circuit open${retryAfter === undefined ? '' : `, retry after ${retryAfter} ms`}`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value == null) return String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
