/**
 * @internal The "policy object IS an operator" shape, and the descriptor every object the library
 * builds carries.
 *
 * A policy keeps its shared state in a core object (factory-call scope). `definePolicy` returns a
 * generic operator function for it whose prototype exposes the core's streams and controls, so
 * `source.pipe(policy)` and `policy.state$` both work, and every pipeline the policy is piped into
 * shares one core. The prototype is built once per policy kind, so an idle policy costs one
 * function and its core.
 *
 * The prototype is built from a descriptor (the kind, the state streams, the other streams, the
 * controls) and carries it under a `Symbol.for` key, so a copy of the library loaded twice (an ES
 * module and a CommonJS copy side by side) reads the other copy's objects. The registry, its
 * handles and the metrics exporter read what an object is from its descriptor, and nothing else.
 */
import type { Observable } from 'rxjs';

const CORE = Symbol('rx-resilience/core');
const DESCRIPTOR: unique symbol = Symbol.for('rx-resilience/descriptor') as never;
/**
 * Where a policy keeps its resolved settings (defaults filled in): the numbers its laws depend
 * on, read by the testing kit so a test never restates a policy's configuration.
 */
const SETTINGS: unique symbol = Symbol.for('rx-resilience/settings') as never;

/** What an object built by the library is. */
export interface Descriptor {
  /** The kind, as the registry and the exporter name it. */
  readonly kind: string;
  /** Streams with a current value (a registry handle re-emits one after a swap only when it changed). */
  readonly state: readonly string[];
  /** Other streams (events, periodic metrics). */
  readonly streams: readonly string[];
  /** Methods, usable detached (`const { reset } = breaker`). */
  readonly controls: readonly string[];
  /** Plain read-only values (a composite's parts), read from the core on access. */
  readonly fields: readonly string[];
}

export interface PolicyCore {
  readonly name: string;
  apply<T>(source: Observable<T>): Observable<T>;
}

type Holder = { [CORE]: Record<string, unknown> };

/** Stamps `descriptor` on `target` (an object, a prototype or a function); returns `target`. */
export function brand<T extends object>(target: T, descriptor: Partial<Descriptor> & { readonly kind: string }): T {
  const full: Descriptor = Object.freeze({ state: [], streams: [], controls: [], fields: [], ...descriptor });
  Object.defineProperty(target, DESCRIPTOR, { value: full, enumerable: false });
  return target;
}

/** The descriptor `value` carries (its own or its prototype's), from any copy of the library. */
export function descriptorOf(value: unknown): Descriptor | undefined {
  if ((typeof value !== 'function' && typeof value !== 'object') || value === null) return undefined;
  const d = (value as { [DESCRIPTOR]?: Partial<Descriptor> })[DESCRIPTOR];
  return typeof d === 'object' && d !== null && typeof d.kind === 'string' ? (d as Descriptor) : undefined;
}

/**
 * Builds the prototype of one policy kind from its descriptor: streams and fields are read from
 * the core on access; controls are the core's methods, usable detached.
 */
export function policyPrototype(descriptor: Partial<Descriptor> & { readonly kind: string }): object {
  const proto = brand(Object.create(Function.prototype) as object, descriptor);
  const { state, streams, controls, fields } = descriptorOf(proto)!;
  for (const name of [...state, ...streams, ...fields]) {
    Object.defineProperty(proto, name, {
      get(this: Holder) {
        return this[CORE][name];
      },
    });
  }
  for (const name of controls) {
    Object.defineProperty(proto, name, {
      get(this: Holder) {
        const core = this[CORE];
        const method = core[name] as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => method.apply(core, args);
      },
    });
  }
  return proto;
}

/**
 * The policy object for `core`. `settings` (the resolved configuration, frozen) is stamped under a
 * `Symbol.for` key, for tools that check a policy against its own configuration.
 */
export function definePolicy<P>(core: PolicyCore, proto: object, settings?: object): P {
  const operator = <T>(source: Observable<T>): Observable<T> => core.apply(source);
  Object.setPrototypeOf(operator, proto);
  if (settings !== undefined) Object.defineProperty(operator, SETTINGS, { value: Object.freeze({ ...settings }), enumerable: false });
  // A function's own `name` would hide the core's: give it the policy's name instead.
  Object.defineProperty(operator, 'name', { value: core.name });
  (operator as unknown as Holder)[CORE] = core as unknown as Record<string, unknown>;
  return operator as unknown as P;
}
