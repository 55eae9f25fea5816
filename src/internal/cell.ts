/**
 * @internal The two stream primitives every policy uses.
 *
 * - `StateCell<S>`: holds the current state; `changes$` replays the current value to a new
 *   subscriber and then emits only changes.
 * - `EventBus<E>`: hot, no replay. `observed` tells a policy whether to build a payload at all.
 *
 * Subjects are created on first subscription, so an unobserved policy pays for a field or two.
 */
import { BehaviorSubject, Observable, Subject } from 'rxjs';

export class StateCell<S> {
  private subject: BehaviorSubject<S> | undefined = undefined;
  private stream: Observable<S> | undefined = undefined;

  constructor(
    private current: S,
    private readonly equals: (a: S, b: S) => boolean = Object.is,
  ) {}

  get value(): S {
    return this.current;
  }

  get changes$(): Observable<S> {
    return (this.stream ??= new Observable<S>((subscriber) =>
      (this.subject ??= new BehaviorSubject(this.current)).subscribe(subscriber),
    ));
  }

  /** Sets the state; emits and returns true only when it differs from the current one. */
  set(next: S): boolean {
    if (this.equals(this.current, next)) return false;
    this.current = next;
    this.subject?.next(next);
    return true;
  }
}

export class EventBus<E> {
  private subject: Subject<E> | undefined = undefined;
  private stream: Observable<E> | undefined = undefined;

  get events$(): Observable<E> {
    return (this.stream ??= new Observable<E>((subscriber) =>
      (this.subject ??= new Subject<E>()).subscribe(subscriber),
    ));
  }

  /** True when someone listens: build payloads only then. */
  get observed(): boolean {
    return this.subject !== undefined && this.subject.observed;
  }

  emit(event: E): void {
    this.subject?.next(event);
  }
}
