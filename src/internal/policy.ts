/**
 * @internal The "policy object IS an operator" shape.
 *
 * A policy keeps its shared state in a core object (factory-call scope). `definePolicy` returns a
 * generic operator function for it whose prototype exposes the core's streams and controls, so
 * `source.pipe(policy)` and `policy.state$` both work, and every pipeline the policy is piped into
 * shares one core. The prototype is built once per policy kind, so an idle policy costs one
 * function and its core.
 */
import type { Observable } from 'rxjs';

const CORE = Symbol('rx-resilience/core');

export interface PolicyCore {
  readonly name: string;
  apply<T>(source: Observable<T>): Observable<T>;
}

type Holder = { [CORE]: Record<string, unknown> };

/**
 * Builds the prototype of one policy kind: `properties` are read from the core on access;
 * `methods` are the core's methods, usable detached (`const { reset } = breaker`).
 */
export function policyPrototype(properties: readonly string[], methods: readonly string[]): object {
  const proto = Object.create(Function.prototype) as object;
  for (const name of properties) {
    Object.defineProperty(proto, name, {
      get(this: Holder) {
        return this[CORE][name];
      },
    });
  }
  for (const name of methods) {
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

export function definePolicy<P>(core: PolicyCore, proto: object): P {
  const operator = <T>(source: Observable<T>): Observable<T> => core.apply(source);
  Object.setPrototypeOf(operator, proto);
  // A function's own `name` would hide the core's: give it the policy's name instead.
  Object.defineProperty(operator, 'name', { value: core.name });
  (operator as unknown as Holder)[CORE] = core as unknown as Record<string, unknown>;
  return operator as unknown as P;
}
