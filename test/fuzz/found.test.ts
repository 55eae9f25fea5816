/** Bugs the config fuzz found, each pinned by a focused test. */
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { durableQueue, memoryQueueStore } from 'rx-resilience';
import { fromConfig } from 'rx-resilience/config';
import { metricsHandler } from 'rx-resilience/http';
import { expectConfigError } from '../helpers/configError.js';

describe('found by the config fuzz', () => {
  it('durableQueue refuses a store whose events$ is not an Observable (was a TypeError)', () => {
    const scheduler = new VirtualTimeScheduler();
    for (const events$ of [null, undefined, 3, {}]) {
      const store = { ...memoryQueueStore({ scheduler }), events$ };
      const error = expectConfigError(() => durableQueue({ store: store as never, scheduler }), 'store.events$');
      expect(error.message).toContain('Observable');
    }
    expect(() => durableQueue({ store: memoryQueueStore({ scheduler }), scheduler })).not.toThrow();
  });

  it('durableQueue whose store.open() throws or returns no stream is built, and its calls fail with that error (was a TypeError from the factory)', () => {
    const scheduler = new VirtualTimeScheduler();
    for (const open of [() => 1, () => { throw new Error('disk gone'); }]) {
      const queue = durableQueue({ store: { ...memoryQueueStore({ scheduler }), open } as never, scheduler });
      let failed: unknown;
      queue.enqueue('m').subscribe({ error: (e: unknown) => (failed = e) });
      scheduler.flush();
      expect(failed).toBeInstanceOf(Error);
    }
  });

  it('fromConfig refuses YAML the parser only warns about: an unresolved tag, an unknown directive (was accepted, the value guessed)', () => {
    const tagged = expectConfigError(() => fromConfig('circuit_breakers:\n  db: !env { failure_threshold: 3 }', { env: {} }), 'source');
    expect(tagged.message).toContain('Unresolved tag');
    const directive = expectConfigError(() => fromConfig('%SHOUT on\n---\ntimeouts:\n  q: 1\n', { env: {} }), 'source');
    expect(directive.message).toContain('directive');
    // A standard tag that resolves is fine; one the parser could not apply (`!!float 1` was the string "1") is not.
    expect(fromConfig('timeouts:\n  q: !!int 1\n', { env: {} }).names()).toEqual(['q']);
    expectConfigError(() => fromConfig('timeouts:\n  q: !!float 1\n', { env: {} }), 'source');
  });

  it('metricsHandler refuses a source that is not a function (was a handler answering 500 forever)', () => {
    for (const source of [undefined, null, 42, 'x 1', { contentType: 'text/plain', body: '' }]) {
      expectConfigError(() => metricsHandler(source as never), 'source');
    }
    expect(typeof metricsHandler(() => ({ contentType: 'text/plain', body: '' }))).toBe('function');
  });
});
