/** The public shapes of a bulkhead's state and events, shared by `bulkhead()` and `adaptiveConcurrency()`. */
import type { Outcome } from '../internal/call.js';

/** A bulkhead's state: `state$` emits it on every change, `stats()` returns it. */
export interface BulkheadState {
  /** Calls holding a slot now. */
  readonly active: number;
  /** Calls waiting for a slot now. */
  readonly queued: number;
  /** Slots: `maxConcurrent`, or the current adaptive limit. Saturation is `active / limit`. */
  readonly limit: number;
  /** Queue bound (`Infinity` when unbounded). Queue pressure is `queued / maxQueued`. */
  readonly maxQueued: number;
  /** Totals since the policy was built: calls given a slot, refused as full, timed out in the queue, */
  readonly admitted: number;
  readonly rejected: number;
  readonly timedOut: number;
  /** and unsubscribed before their first value (while queued or while running). */
  readonly cancelled: number;
}

interface EventBase {
  readonly policy: string;
  /** Scheduler time. */
  readonly at: number;
}

export type BulkheadEvent =
  /** A call got a slot, after waiting `waited` ms in the queue (0 when a slot was free). */
  | (EventBase & { readonly type: 'admitted'; readonly priority: number; readonly waited: number })
  /** All slots busy: the call waits; `queued` counts it. */
  | (EventBase & { readonly type: 'queued'; readonly priority: number; readonly queued: number })
  /** Slots and queue full: `BulkheadFullError`. */
  | (EventBase & { readonly type: 'rejected'; readonly priority: number })
  /** Waited `queueTimeout`: `QueueTimeoutError`. */
  | (EventBase & { readonly type: 'timed-out'; readonly priority: number; readonly waited: number })
  /** Unsubscribed while waiting: it left the queue. */
  | (EventBase & { readonly type: 'cancelled'; readonly priority: number; readonly waited: number })
  /**
   * A running call ended and gave its slot back; `duration` from upstream subscription to the end,
   * `undefined` for a call that started before `events$` had a subscriber (the clock is read on the
   * admission path only when someone listens).
   */
  | (EventBase & { readonly type: 'released'; readonly outcome: Outcome; readonly duration: number | undefined });

/** The adaptive limit moved. */
export type ConcurrencyLimitEvent = EventBase & { readonly type: 'limit'; readonly from: number; readonly to: number };
