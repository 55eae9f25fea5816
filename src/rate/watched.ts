/**
 * @internal A `StateCell` that knows whether anyone watches it, so a limiter builds a state
 * object on its hot path only then. A new watcher first gets a fresh value.
 */
import { Observable } from 'rxjs';
import { StateCell, type Outbox } from '../internal/cell.js';

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

function shallowEqual(a: object, b: object): boolean {
  for (const key of Object.keys(a)) {
    if (!Object.is((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}
