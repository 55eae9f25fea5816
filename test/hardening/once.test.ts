/** One upstream value is delivered once to each subscriber, on every coalescing path (cache, ladder). */
import { fc, test } from '@fast-check/vitest';
import { concat, defer, map, mergeMap, Subject, timer, type Subscription, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { cache, fallbackLadder, type Tagged } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';

const primary = <T>(value: T): Tagged<T> => ({ value, source: 'primary', degraded: false, warnings: [] });

describe('a subscriber joining while a value is relayed', () => {
  it('gets the value once, from the replay (the example of the issue)', () => {
    testScheduler().run(({ expectObservable }) => {
      let upstream = 0;
      const price = cache({ ttl: 60_000 }).wrap((_s: string) => timer(10).pipe(map(() => `p${++upstream}`)), (s) => s);
      expectObservable(price('A').pipe(mergeMap(() => price('A')))).toBe('----------(a|)', { a: 'p1' });
    });
  });

  it('gets each value of a multi-value flight once, then the rest as they come', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a--b-----c|');
      const c = cache({ ttl: 60_000 });
      const call = () => source.pipe(c.forKey('k'));
      expectObservable(call().pipe(mergeMap((v) => (v === 'b' ? call().pipe(map((w) => `${v}${w}`)) : [])))).toBe('-----(xy)--z|', { x: 'ba', y: 'bb', z: 'bc' });
      expectSubscriptions(source.subscriptions).toBe('^-----------!');
    });
  });

  it('gets the ladder value once, tagged primary', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('---a|');
      const ladder = fallbackLadder({ cache: cache({ ttl: 1_000 }) });
      const call = () => source.pipe(ladder.forKey('k'));
      expectObservable(call().pipe(mergeMap(() => call()))).toBe('---a|', { a: primary('a') });
    });
  });

  it('after the end, is served from the stored entry once', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('---a|');
      const c = cache({ ttl: 1_000 });
      const call = () => source.pipe(c.forKey('k'));
      expectObservable(concat(call(), defer(() => call()))).toBe('---a(a|)');
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });
});

type Op =
  | { readonly type: 'join' }
  | { readonly type: 'nest'; readonly who: number }
  | { readonly type: 'leave'; readonly who: number }
  | { readonly type: 'emit' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ type: 'join' as const }),
  fc.record({ type: fc.constant('nest' as const), who: fc.nat(20) }),
  fc.record({ type: fc.constant('leave' as const), who: fc.nat(20) }),
  fc.constant({ type: 'emit' as const }),
);

interface Client {
  readonly got: number[];
  expected: number[];
  live: boolean;
  nest: boolean;
  subscription?: Subscription;
}

describe('random subscribe, unsubscribe and emit interleavings', () => {
  test.prop([fc.array(opArb, { maxLength: 60 }), fc.boolean()])('every subscriber gets exactly its flight values, each once, in order', (ops, complete) => {
    const scheduler = new VirtualTimeScheduler();
    const upstream = new Subject<number>();
    const c = cache({ ttl: 1e9, scheduler });
    const clients: Client[] = [];
    // The model: the values of the flight running (undefined when none), and the stored entry.
    let flight: number[] | undefined;
    let entry: number[] | undefined;
    let next = 0;

    const join = (): void => {
      const client: Client = { got: [], expected: [], live: true, nest: false };
      clients.push(client);
      if (entry !== undefined) {
        client.expected = [...entry];
        client.live = false;
      } else {
        flight ??= [];
        client.expected = [...flight];
      }
      client.subscription = upstream.pipe(c.forKey('k')).subscribe({
        next: (v) => {
          client.got.push(v);
          if (client.nest) {
            client.nest = false;
            join();
          }
        },
        complete: () => (client.live = false),
      });
    };

    for (const op of ops) {
      if (op.type === 'join') join();
      else if (op.type === 'nest') {
        const client = clients[op.who];
        if (client?.live) client.nest = true;
      } else if (op.type === 'leave') {
        const client = clients[op.who];
        if (client?.live) {
          client.live = false;
          client.subscription!.unsubscribe();
          if (flight !== undefined && !clients.some((x) => x.live)) {
            if (flight.length > 0) entry = flight;
            flight = undefined;
          }
        }
      } else {
        const v = next++;
        if (flight !== undefined) {
          flight.push(v);
          // Nested joiners are created inside the relay; their expectation is taken there.
          for (const client of [...clients]) if (client.live) client.expected.push(v);
        }
        upstream.next(v);
      }
    }
    if (complete) {
      upstream.complete();
      if (flight !== undefined) entry = flight;
      flight = undefined;
    }
    for (const client of clients) expect(client.got).toEqual(client.expected);
    expect(new Set(clients.flatMap((x) => x.got.map((v, i) => `${clients.indexOf(x)}:${i}:${v}`))).size).toBe(clients.reduce((n, x) => n + x.got.length, 0));
    if (complete) expect(c.stats().inFlight).toBe(0);
  });
});
