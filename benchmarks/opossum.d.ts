/** The part of opossum 9 the benchmarks use (it ships no types). */
declare module 'opossum' {
  export default class CircuitBreaker {
    constructor(action: (...args: never[]) => unknown, options?: Readonly<Record<string, unknown>>);
    fire(...args: unknown[]): Promise<unknown>;
    open(): void;
    shutdown(): void;
  }
}
