/**
 * What every hot-path row is measured against, on the same floor:
 * - the floor: `firstValueFrom(defer(fn))` with an async `fn` (what a call costs with no policy);
 * - the smallest possible layer: an `Observable` subclass that does nothing but hand the
 *   subscriber to its source. No operator can cost less than this, so a row that misses its
 *   target is judged against "this layer + 0.1×".
 */
import { defer, firstValueFrom, Observable, type Observer, type Subscription } from 'rxjs';

export const fn = async (): Promise<number> => 1;
export const noop = (): undefined => undefined;

export const FLOOR = 'floor: firstValueFrom(defer(fn))';
export const LAYER = 'smallest layer: Observable subclass that forwards';

class Forward<T> extends Observable<T> {
  constructor(private readonly upstream: Observable<T>) {
    super();
  }

  override subscribe(observer?: Partial<Observer<T>> | ((value: T) => void) | null): Subscription {
    return this.upstream.subscribe(observer ?? undefined);
  }
}

export const forward = <T>(source: Observable<T>): Observable<T> => new Forward(source);

/** The floor and the smallest layer, as the first two candidates of a group. */
export const references = [
  { name: FLOOR, run: () => firstValueFrom(defer(fn)) },
  { name: LAYER, run: () => firstValueFrom(defer(fn).pipe(forward)) },
] as const;
