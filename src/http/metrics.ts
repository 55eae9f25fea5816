/**
 * `/metrics`: serves whatever exposition text a source function returns. The root entry never
 * imports prom-client; `rx-resilience/prometheus` provides a source for a prom-client registry.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checker } from '../internal/validate.js';
import { failRequest, readOnly } from './respond.js';

/** Returns the exposition text and its content type (a prom-client registry's `contentType`). */
export type MetricsSource = () => Promise<MetricsExposition> | MetricsExposition;

export interface MetricsExposition {
  readonly contentType: string;
  readonly body: string;
}

/** What `metricsHandler()` returns: a `node:http` request listener that serves the exposition. */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A `node:http` handler for `/metrics`: 200 with the source's text, 500 (with no detail) when the
 * source throws or rejects or its answer cannot be sent (a content type that is not a valid header
 * value), 405 for methods other than GET and HEAD.
 *
 * ```ts
 * import { metricsHandler } from 'rx-resilience/http';
 * const serve = metricsHandler(async () => ({ contentType: registry.contentType, body: await registry.metrics() }));
 * ```
 */
export function metricsHandler(source: MetricsSource): MetricsHandler {
  if (typeof source !== 'function') checker('metrics-handler').fail('source', source, 'a function returning { contentType, body } or a promise of it');
  return (req, res) => {
    if (!readOnly(req, res)) return;
    void collect(source).then((exposition) => {
      // The client may have gone while the source ran; a content type that is not a valid header
      // value makes writeHead throw, which must not become an unhandled rejection.
      if (res.destroyed) return;
      try {
        if (exposition === undefined) {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
          res.end('metrics collection failed\n');
          return;
        }
        res.writeHead(200, { 'content-type': exposition.contentType, 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(exposition.body)) });
        res.end(req.method === 'HEAD' ? undefined : exposition.body);
      } catch {
        failRequest(res);
      }
    });
  };
}

/** The source's exposition, or `undefined` when it throws, rejects or returns something else. */
async function collect(source: MetricsSource): Promise<MetricsExposition | undefined> {
  try {
    const result = await source();
    return typeof result?.body === 'string' && typeof result.contentType === 'string' ? result : undefined;
  } catch {
    return undefined;
  }
}
