/**
 * @internal The stable handle the registry hands out for each name.
 *
 * A handle is an operator like the policy it stands for, with the same streams and methods, but
 * it delegates to whichever policy is current for its name. Hot reload swaps the policy behind the
 * handle; code that holds the handle (or piped it into a pipeline) keeps working:
 * - a call (one subscription) goes through the policy current at its subscription, and stays with
 *   it to its end;
 * - streams (`state$`, `events$`, `metrics$`, …) follow the current policy; `state$` emits after a
 *   swap only when the new policy's state differs;
 * - methods call the current policy; a method that returns a function of Observables (`forKey`,
 *   `withPriority`, `wrap`) returns one that re-resolves against the current policy at each subscription.
 */
import { BehaviorSubject, distinctUntilChanged, isObservable, Observable, switchMap } from 'rxjs';
import type { RegistryKind } from './kind.js';

/** Any operator object: a policy built by a factory, or a handle. */
export type AnyPolicy = (<T>(source: Observable<T>) => Observable<T>) & object;

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

/** Streams that replay a current value: after a swap they emit only a changed one. */
const STATE_STREAMS: ReadonlySet<string> = new Set(['state$', 'limit$', 'rate$', 'enabled$']);

function buildHandle(slot: Slot, model: AnyPolicy): AnyPolicy {
  const handle = (<T>(source: Observable<T>): Observable<T> =>
    new Observable<T>((subscriber) => slot.policy(source).subscribe(subscriber))) as AnyPolicy;
  Object.defineProperty(handle, 'name', { value: slot.name });
  const streams = new Map<string, Observable<unknown>>();
  for (const member of memberNames(model)) {
    if (member === 'name' || member === 'constructor') continue;
    const value = (model as unknown as Members)[member];
    if (isObservable(value)) {
      Object.defineProperty(handle, member, {
        get: () => streams.get(member) ?? streams.set(member, slot.follow(member, STATE_STREAMS.has(member))).get(member),
        enumerable: true,
      });
    } else if (typeof value === 'function') {
      Object.defineProperty(handle, member, { value: delegate(slot, member), enumerable: true });
    }
  }
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

/** Own and inherited member names, up to (not including) Function.prototype. */
function memberNames(policy: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = policy; o !== null && o !== Function.prototype && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const key of Object.getOwnPropertyNames(o)) names.add(key);
  }
  for (const skip of ['length', 'prototype', 'arguments', 'caller']) names.delete(skip);
  return [...names];
}

function shallowEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.is((a as Members)[k], (b as Members)[k]));
}
