/**
 * Captures what reaches RxJS's unhandled-error path (`config.onUnhandledError`) during each test,
 * and restores the previous handler after it. Read `caught.errors` in a test.
 */
import { config } from 'rxjs';
import { afterEach, beforeEach } from 'vitest';

export function captureUnhandled(): { readonly errors: unknown[] } {
  const caught = { errors: [] as unknown[] };
  let saved: typeof config.onUnhandledError;
  beforeEach(() => {
    caught.errors = [];
    saved = config.onUnhandledError;
    config.onUnhandledError = (e) => caught.errors.push(e);
  });
  afterEach(() => {
    config.onUnhandledError = saved;
  });
  return caught;
}
