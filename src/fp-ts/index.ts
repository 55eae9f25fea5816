/**
 * rx-resilience/fp-ts: the policies for code written in fp-ts style (fp-ts, an optional peer).
 * `protect` runs a `TaskEither` through a policy, `fromTaskEither` makes one an Observable,
 * `toEither` turns a stream's values and error into `Either`s, `fromTagged` a ladder's value.
 * The root entry never loads fp-ts.
 */
export { fromTaskEither, protect } from './taskEither.js';
export type { AnyOperator, GuardedBy, Protected } from './taskEither.js';
export { fromTagged, toEither } from './either.js';
export type { Answered } from './either.js';
