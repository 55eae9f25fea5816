/** @internal The backoff schedules, gathered for src/index.ts. */
export { constant } from './constant.js';
export { linear, type LinearOptions } from './linear.js';
export { exponential, type ExponentialOptions } from './exponential.js';
export { fibonacci, type FibonacciOptions } from './fibonacci.js';
export { decorrelatedJitter, type DecorrelatedJitterOptions } from './decorrelatedJitter.js';
export type { Backoff, JitterKind, JitterOptions, RandomSource } from './types.js';
