import { config, map, NEVER, Observable, of, Subject, Subscriber, Subscription, take, type TeardownLogic } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { CallSubscriber, Guarded, type Gate, type Outcome } from '../../src/internal/call.js';

const noop = (): void => undefined;

/** A call that logs how it settled. */
class Probe<T> extends CallSubscriber<T> {
  constructor(
    destination: Subscriber<T>,
    private readonly log: string[],
  ) {
    super(destination, {});
  }

  protected settle(outcome: Outcome): void {
    this.log.push(`settled ${outcome}`);
  }
}

/** A gate that runs every subscription as a `Probe` call. */
function probeGate(log: string[], teardown?: TeardownLogic): Gate {
  return {
    admit<T>(subscriber: Subscriber<T>, source: Observable<T>): TeardownLogic {
      new Probe(subscriber, log).run(source);
      return teardown;
    },
  };
}

describe('CallSubscriber on the RxJS fast path', () => {
  it('is an RxJS Subscriber without running its constructor, so nested subscribes pass it as it is', () => {
    const seen: unknown[] = [];
    const source = new Observable<number>((s) => {
      seen.push(s);
    });
    const log: string[] = [];
    const call = new Probe(new Subscriber<number>(), log);
    call.run(source);
    expect(call).toBeInstanceOf(Subscriber);
    expect(seen).toEqual([call]);
    expect(Object.keys(call)).not.toContain('isStopped');
  });

  it('a downstream unsubscribe cancels a call whose source registered no teardown', () => {
    const log: string[] = [];
    const sub = new Guarded(probeGate(log), NEVER).subscribe();
    expect(log).toEqual([]);
    sub.unsubscribe();
    expect(log).toEqual(['settled cancelled']);
  });

  it('a downstream that already has a parent (an operator in between) still cancels the call', () => {
    const log: string[] = [];
    const sub = new Guarded(probeGate(log), NEVER).pipe(map((x) => x)).subscribe();
    sub.unsubscribe();
    expect(log).toEqual(['settled cancelled']);
  });

  it('stops a synchronous source the downstream has stopped listening to, while it emits', () => {
    const log: string[] = [];
    const emitted: number[] = [];
    const source = new Observable<number>((s) => {
      for (let i = 1; i <= 5 && !s.closed; i++) {
        emitted.push(i);
        s.next(i);
      }
      s.complete();
    });
    const values: number[] = [];
    new Guarded(probeGate(log), source).pipe(take(2)).subscribe((v) => values.push(v));
    expect(values).toEqual([1, 2]);
    expect(emitted).toEqual([1, 2]);
    expect(log).toEqual(['settled success']);
  });

  it('settles before the end reaches the downstream, and tears the source down first on cancel', () => {
    const log: string[] = [];
    new Guarded(probeGate(log), of(1)).subscribe({ complete: () => log.push('complete') });
    const source = new Observable<number>(() => () => log.push('source torn down'));
    new Guarded(probeGate(log), source).subscribe().unsubscribe();
    expect(log).toEqual(['settled success', 'complete', 'source torn down', 'settled cancelled']);
  });

  it('a call that is the downstream of another call links into it (nested policies)', () => {
    const log: string[] = [];
    const inner = new Guarded(probeGate(log), NEVER);
    const outer = new Guarded(probeGate(log), inner);
    outer.subscribe().unsubscribe();
    expect(log).toEqual(['settled cancelled', 'settled cancelled']);
  });

  it('a downstream that is not an RxJS Subscription gets the call added to it', () => {
    const log: string[] = [];
    const added: unknown[] = [];
    const duck = { closed: false, next: () => undefined, error: () => undefined, complete: () => undefined, add: (t: unknown) => added.push(t), remove: () => undefined, unsubscribe: () => undefined };
    const call = new Probe(duck as unknown as Subscriber<number>, log);
    call.run(NEVER);
    expect(added).toEqual([call]);
    call.unsubscribe();
    expect(log).toEqual(['settled cancelled']);
  });

  it('a downstream already closed cancels the call at once', () => {
    const log: string[] = [];
    const closed = new Subscriber<number>();
    closed.unsubscribe();
    new Probe(closed, log).run(NEVER);
    expect(log).toEqual(['settled cancelled']);
  });

  it('keeps no parents when an RxJS Subscription adds it', () => {
    const log: string[] = [];
    const call = new Probe(new Subscriber<number>(), log);
    const parent = new Subscription();
    parent.add(call as unknown as Subscription);
    parent.unsubscribe();
    expect(log).toEqual(['settled cancelled']);
    expect(Object.keys(call)).not.toContain('_parentage');
  });
});

describe('Guarded', () => {
  afterEach(() => {
    config.useDeprecatedSynchronousErrorHandling = false;
  });

  it('takes an observer, callbacks or a Subscriber, and adds the teardown the gate returns', () => {
    for (const subscribe of [
      (g: Observable<number>, values: number[]) => g.subscribe({ next: (v) => values.push(v) }),
      (g: Observable<number>, values: number[]) => g.subscribe((v) => values.push(v)),
      (g: Observable<number>, values: number[]) => g.subscribe(new Subscriber({ next: (v: number) => values.push(v), error: noop, complete: noop })),
    ]) {
      const log: string[] = [];
      const values: number[] = [];
      const sub = subscribe(new Guarded(probeGate(log, () => log.push('teardown')), new Subject<number>().pipe(take(1))), values);
      sub.unsubscribe();
      expect(log).toEqual(['settled cancelled', 'teardown']);
      expect(subscribe(new Guarded(probeGate([]), of(7)), values)).toBeInstanceOf(Subscription);
      expect(values).toEqual([7]);
    }
  });

  it('sends a throw from the gate to the subscriber, on both ways in', () => {
    const thrower: Gate = {
      admit: () => {
        throw new Error('admit failed');
      },
    };
    const errors: unknown[] = [];
    new Guarded(thrower, of(1)).subscribe({ error: (e: Error) => errors.push(e.message) });
    new Guarded(thrower, of(1)).subscribe(new Subscriber({ next: noop, error: (e: Error) => errors.push(e.message), complete: noop }));
    expect(errors).toEqual(['admit failed', 'admit failed']);
  });

  it('goes through Observable.subscribe under deprecated synchronous error handling', () => {
    config.useDeprecatedSynchronousErrorHandling = true;
    const thrower: Gate = {
      admit: () => {
        throw new Error('sync');
      },
    };
    expect(() => new Guarded(thrower, of(1)).subscribe(new Subscriber())).toThrow('sync');
  });
});
