/**
 * Marble testing helpers that work with any test runner: a `TestScheduler` whose assertion
 * compares errors by name, message and own fields (never by stack), through `node:assert`.
 */
import { deepStrictEqual } from 'node:assert/strict';
import { TestScheduler } from 'rxjs/testing';

/** Deep equality for marble frames; errors are compared without their stacks. */
export function observableMatcher(actual: unknown, expected: unknown): void {
  deepStrictEqual(normalize(actual), normalize(expected));
}

/** A fresh `TestScheduler` using `observableMatcher`. Make one per test. */
export function testScheduler(): TestScheduler {
  return new TestScheduler(observableMatcher);
}

function normalize(value: unknown): unknown {
  if (value instanceof Error) {
    const plain: Record<string, unknown> = { name: value.name, message: value.message };
    for (const key of Object.keys(value)) if (key !== 'stack') plain[key] = normalize((value as unknown as Record<string, unknown>)[key]);
    return plain;
  }
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}
