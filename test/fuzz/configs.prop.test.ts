/**
 * Random configs against every factory: each either refuses with a ConfigError naming a field of
 * the input (or a known option), or builds a policy that works: one call through it ends in
 * virtual time within a bounded number of scheduled actions, and unsubscribing leaves nothing
 * scheduled. Never another error type, and never a hang.
 */
import { test } from '@fast-check/vitest';
import { casesOf, check, runs } from './fuzz.js';
import { FACTORIES } from './rootFactories.js';

test.prop([casesOf(FACTORIES)], { numRuns: runs(8_000) })('a random config is a ConfigError naming a field, or a policy that works', ({ index, mutations }) => {
  check(FACTORIES[index]!, mutations);
});
