/**
 * The kernel's hot path, layer by layer, as ratios to the floor in one process: the smallest
 * layer possible (an Observable subclass that only forwards, piped in), the kernel's `Guarded`
 * observable with a call that judges nothing, and an admitted call through a breaker, a bulkhead
 * and a token bucket. What separates the policies from the forwarding layer is what they must do
 * per call: a call object between source and subscriber, and for the token bucket a clock reading.
 */
import { defer, firstValueFrom, Observable, type Subscriber } from 'rxjs';
import { bulkhead, circuitBreaker, tokenBucket } from '../src/index.js';
import { CallSubscriber, Guarded, type Gate } from '../src/internal/call.js';
import { compare } from './harness.js';

const fn = async () => 1;

/** Forwards every subscriber to its source: what any operator costs at the least. */
class Forward<T> extends Observable<T> {
  constructor(private readonly inner: Observable<T>) {
    super();
  }

  override subscribe(subscriber?: unknown): never {
    return this.inner.subscribe(subscriber as Subscriber<T>) as never;
  }
}

/** A call that settles into nothing: the kernel alone. */
class BareCall<T> extends CallSubscriber<T> {
  protected settle(): void {}
}

const bare: Gate = {
  admit: (subscriber, source) => {
    new BareCall(subscriber, {}).run(source);
  },
};

export default async function kernelProbe(): Promise<void> {
  const forward = <T>(source: Observable<T>): Observable<T> => new Forward(source);
  const kernel = <T>(source: Observable<T>): Observable<T> => new Guarded(bare, source);
  const breaker = circuitBreaker({ name: 'probe' });
  const pool = bulkhead({ name: 'probe', maxConcurrent: 100, maxQueued: 100 });
  const bucket = tokenBucket({ name: 'probe', capacity: 2e9, refill: { tokens: 2e9, every: 2e6 } });
  await compare('kernel layers: firstValueFrom(defer(fn) …)', [
    { name: 'floor: firstValueFrom(defer(fn))', run: () => firstValueFrom(defer(fn)) },
    { name: 'pipe(forwarding layer)', run: () => firstValueFrom(defer(fn).pipe(forward)) },
    { name: 'pipe(Guarded + bare call)', run: () => firstValueFrom(defer(fn).pipe(kernel)) },
    { name: 'circuitBreaker', run: () => firstValueFrom(defer(fn).pipe(breaker)) },
    { name: 'bulkhead', run: () => firstValueFrom(defer(fn).pipe(pool)) },
    { name: 'tokenBucket', run: () => firstValueFrom(defer(fn).pipe(bucket)) },
    { name: 'Date.now() (a clock reading)', run: () => Date.now() },
  ]);
}
