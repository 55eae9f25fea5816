/**
 * @internal The stream primitives every policy uses.
 *
 * - `StateCell<S>`: holds the current state; `changes$` replays the current value to a new
 *   subscriber and then emits only changes.
 * - `WatchedCell<S>`: a `StateCell` that knows whether anyone watches it, so a policy builds a
 *   state object on its hot path only then; a new watcher first gets a fresh value.
 * - `EventBus<E>`: hot, no replay. `observed` tells a policy whether to build a payload at all.
 * - `Outbox`: one per policy, shared by its cells and buses. It is the re-entrancy rule in one
 *   place: while the policy changes its state (between `hold()` and `release()`), every emission
 *   is queued; the queue is delivered in order once the outermost change is complete. A listener
 *   that calls back into the policy (a control, a new call, a release) runs against complete
 *   state, and the emissions of that nested change join the end of the queue, so the last value
 *   of `state$` is always the state `stats()` reports once the outermost operation returns.
 *
 * Subjects are created on first subscription, so an unobserved policy pays for a field or two;
 * an emission with no subscriber is never queued, so the no-listener path allocates nothing.
 */
import { BehaviorSubject, Observable, Subject } from 'rxjs';
import { shallowEqual } from './equal.js';

export class Outbox {
  /** Open changes plus one while delivering: above zero, emissions are queued. */
  private depth = 0;
  /** Flat pairs: subject, value. Reused across flushes. */
  private readonly queue: unknown[] = [];

  /** Starts a state change: emissions wait until the matching `release()`. */
  hold(): void {
    this.depth++;
  }

  /** Ends a state change; the outermost one delivers what was queued. */
  release(): void {
    if (--this.depth === 0 && this.queue.length > 0) this.flush();
  }

  /** Runs `change` between `hold()` and `release()`. */
  run<R>(change: () => R): R {
    this.depth++;
    try {
      return change();
    } finally {
      this.release();
    }
  }

  deliver<V>(subject: Subject<V>, value: V): void {
    if (this.depth === 0) {
      // Nothing open: deliver now, but queue whatever the listeners cause.
      this.depth = 1;
      try {
        subject.next(value);
      } finally {
        this.release();
      }
      return;
    }
    this.queue.push(subject, value);
  }

  private flush(): void {
    const queue = this.queue;
    this.depth = 1;
    try {
      // Listeners may append while we read: the loop reads the length each time.
      for (let i = 0; i < queue.length; i += 2) (queue[i] as Subject<unknown>).next(queue[i + 1]);
    } finally {
      queue.length = 0;
      this.depth = 0;
    }
  }
}

export class StateCell<S> {
  private subject: BehaviorSubject<S> | undefined = undefined;
  private stream: Observable<S> | undefined = undefined;

  constructor(
    private current: S,
    private readonly equals: (a: S, b: S) => boolean = Object.is,
    /** The policy's outbox; a cell alone still gets its own, so nested changes arrive in order. */
    private readonly outbox: Outbox = new Outbox(),
  ) {}

  get value(): S {
    return this.current;
  }

  get changes$(): Observable<S> {
    return (this.stream ??= new Observable<S>((subscriber) =>
      (this.subject ??= new BehaviorSubject(this.current)).subscribe(subscriber),
    ));
  }

  /** Sets the state; emits (or queues, see `Outbox`) and returns true only when it differs from the current one. */
  set(next: S): boolean {
    if (this.equals(this.current, next)) return false;
    this.current = next;
    if (this.subject !== undefined) this.outbox.deliver(this.subject, next);
    return true;
  }
}

export class EventBus<E> {
  private subject: Subject<E> | undefined = undefined;
  private stream: Observable<E> | undefined = undefined;

  constructor(private readonly outbox: Outbox = new Outbox()) {}

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
    const subject = this.subject;
    if (subject !== undefined && subject.observed) this.outbox.deliver(subject, event);
  }
}

/** A `StateCell` read from `read()` while watched: unwatched, it builds no state object. */
export class WatchedCell<S extends object> {
  private readonly cell: StateCell<S>;
  private watchers = 0;
  private stream: Observable<S> | undefined = undefined;

  constructor(private readonly read: () => S, outbox?: Outbox) {
    this.cell = new StateCell<S>(read(), shallowEqual, outbox);
  }

  get watched(): boolean {
    return this.watchers > 0;
  }

  get changes$(): Observable<S> {
    return (this.stream ??= new Observable<S>((subscriber) => {
      this.watchers++;
      this.cell.set(this.read());
      const inner = this.cell.changes$.subscribe(subscriber);
      return () => {
        this.watchers--;
        inner.unsubscribe();
      };
    }));
  }

  /** Re-reads the state when watched; emits when it changed. */
  refresh(): void {
    if (this.watchers > 0) this.cell.set(this.read());
  }
}

/**
 * A policy's `metrics$`: the current snapshot to each new subscriber, then one snapshot per
 * `publish()`, read only while someone listens (no deduplication: each publish is an event).
 */
export class SnapshotStream<S> {
  private readonly bus: EventBus<S>;
  private stream: Observable<S> | undefined = undefined;

  constructor(private readonly read: () => S, outbox?: Outbox) {
    this.bus = new EventBus<S>(outbox);
  }

  get snapshots$(): Observable<S> {
    return (this.stream ??= new Observable<S>((subscriber) => {
      subscriber.next(this.read());
      return this.bus.events$.subscribe(subscriber);
    }));
  }

  get observed(): boolean {
    return this.bus.observed;
  }

  publish(): void {
    if (this.bus.observed) this.bus.emit(this.read());
  }
}
