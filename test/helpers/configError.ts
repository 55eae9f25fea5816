/** Assertions on the `ConfigError` a factory throws for bad input. */
import { ConfigError, isResilienceError } from 'rx-resilience';
import { expect } from 'vitest';

/** Runs `build`, which must throw a `ConfigError` (code `CONFIG_INVALID`); returns it. */
export function configErrorOf(build: () => unknown): ConfigError {
  let thrown: unknown;
  try {
    build();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  expect(isResilienceError(thrown, 'CONFIG_INVALID')).toBe(true);
  return thrown as ConfigError;
}

/** `build` throws a `ConfigError` naming `field`; returns it for further checks. */
export function expectConfigError(build: () => unknown, field: string): ConfigError {
  const error = configErrorOf(build);
  expect(error.field, `field of: ${error.message}`).toBe(field);
  return error;
}
