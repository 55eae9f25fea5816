/** The events of `retryBackoff()` (re-exported by it). */

/** Why a retry gave up. */
export type GiveUpReason = 'max-attempts' | 'max-elapsed' | 'max-delay' | 'not-retryable' | 'budget';

interface EventBase {
  readonly policy: string;
  /** Scheduler time. */
  readonly at: number;
}

/** `value`: the failing value, when the attempt failed with a value `isFailureResult` matched (`error` is then undefined). */
interface FailedWith {
  readonly error: unknown;
  readonly value?: unknown;
}

export type RetryBackoffEvent =
  /** A retry was scheduled after `attempt` failed; it starts after `delay` ms. */
  | (EventBase & FailedWith & { readonly type: 'retry'; readonly attempt: number; readonly delay: number })
  /** The source completed on attempt `attempts` (counted since the last reset). */
  | (EventBase & { readonly type: 'success'; readonly attempts: number })
  | (EventBase & FailedWith & { readonly type: 'give-up'; readonly attempts: number; readonly reason: GiveUpReason });
