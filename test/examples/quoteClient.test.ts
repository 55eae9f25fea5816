/**
 * Runs examples/quoteClient.ts as a user would copy it: a real loopback server that answers 503
 * with Retry-After, never answers, or resets the connection, and the client built on one
 * pipeline(). Real time and real sockets: the retry really waits the server's Retry-After (1 s).
 */
import { describe, expect, it } from 'vitest';
import { policyKind } from 'rx-resilience';
import { main, quoteClient, startFlakyServer } from '../../examples/quoteClient.js';

describe('examples/quoteClient.ts', () => {
  it('gets every quote through a 503, a hung response and a reset, and closes the hung request', async () => {
    const lines: string[] = [];
    const { quotes, server } = await main((line) => lines.push(line));
    try {
      expect(quotes.map((q) => q.symbol)).toEqual(['ACME', 'INITECH', 'GLOBEX']);
      expect(server.log.slice(0, 6)).toEqual(['503', 'ok', 'hang', 'ok', 'reset', 'ok']);
      // the hung request was closed by the client (its time limit ran out), not left open on the server
      expect(await server.closed[2]).toBe(true);
      expect(await server.closed[0]).toBe(false);
      expect(lines[0]).toBe('ACME: 42');
      expect(lines.find((l) => l.startsWith('retries:'))).toMatch(/1: HTTP 503.*TIME_LIMIT|1: HTTP 503.*no completion within 500 ms/);
    } finally {
      await server.close();
    }
  });

  it('builds its policies once per client: every call shares one pipeline', async () => {
    const server = await startFlakyServer([]);
    try {
      const { upstream } = quoteClient(server.url);
      expect(policyKind(upstream)).toBe('pipeline');
      expect(upstream.order).toEqual(['rateLimit', 'retry', 'breaker', 'bulkhead', 'timeLimit']);
      const pool = upstream.parts.bulkhead!;
      expect(pool.stats().active).toBe(0);
    } finally {
      await server.close();
    }
  });
});
