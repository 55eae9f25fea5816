/**
 * What another copy of the library (an ES module and a CommonJS copy side by side) gives: an object
 * carrying a descriptor under the shared `Symbol.for` key, on a prototype of its own.
 */
const DESCRIPTOR = Symbol.for('rx-resilience/descriptor');

/** `members` on a fresh prototype branded with the descriptor of `kind`. */
export function fromOtherCopy<M extends object>(kind: string, members: M, descriptor: object = {}): M {
  const proto = Object.defineProperty({}, DESCRIPTOR, { value: { state: [], streams: [], controls: [], ...descriptor, kind } });
  return Object.assign(typeof members === 'function' ? Object.setPrototypeOf(members, proto) : Object.create(proto), members) as M;
}

/** The descriptor `value` carries, read as another copy would. */
export function descriptorOf(value: object): { kind: string; state: string[]; streams: string[]; controls: string[] } | undefined {
  return (value as Record<symbol, never>)[DESCRIPTOR];
}
