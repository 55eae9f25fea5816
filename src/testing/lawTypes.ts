/** What a law of one policy sees and does (see `watchLaws`). */
import type { Subscription } from 'rxjs';
import type { WatchedPolicy } from './policies.js';
import type { ScriptedCall } from './scriptedService.js';

/** What a law sees besides its own policy. */
export interface LawContext {
  now(): number;
  /** Records a violation of this policy's law. */
  report(message: string): void;
  /** Records that a law of this policy is not checked, and why. */
  skip(law: string, reason: string): void;
  /** The parts inside this policy (nearer the dependency), when the order is known. */
  readonly inner: readonly WatchedPolicy[];
  /** Every upstream call so far. */
  readonly calls: () => readonly ScriptedCall[];
  /** The scenario call being subscribed right now (a synchronous decision belongs to it). */
  readonly subscribing: () => unknown;
}

/** A law attached to one policy: it hears the dependency's activity and checks at the end. */
export interface Law {
  start?(call: ScriptedCall): void;
  value?(call: ScriptedCall): void;
  end?(call: ScriptedCall): void;
  /** The end of the scenario: checks what can only be judged once everything is known. */
  finish?(): void;
  readonly subscriptions: readonly Subscription[];
}

export type LawFactory = (policy: WatchedPolicy, context: LawContext) => Law;

