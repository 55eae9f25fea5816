/**
 * @internal The stable handle the registry hands out for each name.
 *
 * A handle is an operator like the policy it stands for, with the same streams and methods, but
 * it delegates to whichever policy is current for its name. Hot reload swaps the policy behind the
 * handle; code that holds the handle (or piped it into a pipeline) keeps working:
 * - a call (one subscription) goes through the policy current at its subscription, and stays with
 *   it to its end;
 * - the members are the ones the policy's descriptor names: streams (`state$`, `events$`,
 *   `metrics$`, …) follow the current policy; a state stream emits after a swap only when the new
 *   policy's state differs; an operator without a descriptor gets a handle without members;
 * - fields (a pipeline's `parts`) are read from the current policy;
 * - methods call the current policy; a method that returns a function of Observables (`forKey`,
 *   `withPriority`, `wrap`) returns one that re-resolves against the current policy at each subscription.
 */
import { BehaviorSubject, distinctUntilChanged, Observable, switchMap } from 'rxjs';
import { shallowEqual } from '../internal/equal.js';
import { brand, descriptorOf } from '../internal/policy.js';
import type { RegistryKind } from './kind.js';

/** Any operator object: a policy built by a factory, or a handle. */
export type AnyPolicy = (<T>(source: Observable<T>) => Observable<T>) & object;

/**
 * What `register` takes: any operator object, also one typed for the values it guards (a
 * `retryBackoff` or `hedge` whose `isFailureResult` takes `Response` guards `Observable<Response>` only).
 */
export type RegistrablePolicy = ((source: Observable<never>) => Observable<unknown>) & object;

type Members = Record<string, unknown>;

/** One registry entry: a name, its kind, and the policy current for it. */
export class Slot {
  private readonly current$: BehaviorSubject<AnyPolicy>;
  readonly handle: AnyPolicy;

  constructor(
    readonly name: string,
    readonly kind: RegistryKind,
    policy: AnyPolicy,
  ) {
    this.current$ = new BehaviorSubject(policy);
    this.handle = buildHandle(this, policy);
    handles.set(this.handle, this);
  }

  get policy(): AnyPolicy {
    return this.current$.value;
  }

  /** Swaps the policy; calls in flight finish on the previous one. */
  swap(next: AnyPolicy): void {
    this.current$.next(next);
  }

  /** A stream that follows `member` of the current policy across swaps. */
  follow(member: string, distinct: boolean): Observable<unknown> {
    const followed = this.current$.pipe(switchMap((p) => (p as unknown as Members)[member] as Observable<unknown>));
    return distinct ? followed.pipe(distinctUntilChanged(shallowEqual)) : followed;
  }
}

const handles = new WeakMap<object, Slot>();

/** The slot behind a handle, if `policy` is one. */
export function slotOf(policy: unknown): Slot | undefined {
  return typeof policy === 'function' ? handles.get(policy) : undefined;
}

function buildHandle(slot: Slot, model: AnyPolicy): AnyPolicy {
  const handle = (<T>(source: Observable<T>): Observable<T> =>
    new Observable<T>((subscriber) => slot.policy(source).subscribe(subscriber))) as AnyPolicy;
  Object.defineProperty(handle, 'name', { value: slot.name });
  // The model's descriptor says which members to follow; an operator without one (`custom`) is only an operator.
  const descriptor = descriptorOf(model);
  if (descriptor === undefined) return handle;
  brand(handle, slot.kind === 'custom' ? descriptor : { ...descriptor, kind: slot.kind });
  const streams = new Map<string, Observable<unknown>>();
  const follow = (member: string, distinct: boolean) => () => streams.get(member) ?? streams.set(member, slot.follow(member, distinct)).get(member);
  for (const member of descriptor.state) Object.defineProperty(handle, member, { get: follow(member, true), enumerable: true });
  for (const member of descriptor.streams) Object.defineProperty(handle, member, { get: follow(member, false), enumerable: true });
  for (const member of descriptor.controls) Object.defineProperty(handle, member, { value: delegate(slot, member), enumerable: true });
  // A copy of the library from before `fields` existed gives none.
  for (const member of descriptor.fields ?? []) Object.defineProperty(handle, member, { get: () => (slot.policy as unknown as Members)[member], enumerable: true });
  return handle;
}

function delegate(slot: Slot, member: string): (...args: unknown[]) => unknown {
  const call = (args: unknown[]) => ((slot.policy as unknown as Members)[member] as (...a: unknown[]) => unknown)(...args);
  return (...args: unknown[]) => {
    const result = call(args);
    if (typeof result !== 'function') return result;
    // A function bound to the current policy (an operator from `forKey`/`withPriority`, a function
    // from `wrap`), whose calls return Observables: bind it again after a swap, at subscription.
    let boundTo = slot.policy;
    let fn = result as (...a: unknown[]) => Observable<unknown>;
    return (...a: unknown[]) =>
      new Observable((subscriber) => {
        if (boundTo !== slot.policy) {
          boundTo = slot.policy;
          fn = call(args) as (...a: unknown[]) => Observable<unknown>;
        }
        return fn(...a).subscribe(subscriber);
      });
  };
}
