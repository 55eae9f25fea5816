/** Small response helpers shared by the endpoints: JSON bodies, errors rendered safely, methods. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Errors become `{ name, message, code? }`; everything else is JSON as is. */
export function renderError(error: unknown): unknown {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return code === undefined ? { name: error.name, message: error.message } : { name: error.name, message: error.message, code };
  }
  return error;
}

const replace = (_key: string, v: unknown): unknown => (v instanceof Error ? renderError(v) : v === Infinity ? 'Infinity' : typeof v === 'bigint' ? v.toString() : v);

/** Nesting deeper than this is written as a placeholder (JSON.stringify would overflow the stack). */
const MAX_DEPTH = 64;

/**
 * JSON text of any value, never a throw. A `BigInt` is written as its decimal string. What
 * `JSON.stringify` cannot write becomes a placeholder string in place of that value only: a
 * circular reference `"[unserializable: circular]"`, a getter, `toJSON` or proxy trap that throws
 * `"[unserializable: threw <ErrorName>]"`, nesting past 64 levels `"[unserializable: too deep]"`.
 */
export function toJson(value: unknown): string {
  try {
    return JSON.stringify(value, replace);
  } catch {
    return JSON.stringify(sanitize(value, '', [], 0), replace);
  }
}

function sanitize(value: unknown, key: string, ancestors: object[], depth: number): unknown {
  try {
    let v = value;
    if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON: (k: string) => unknown }).toJSON(key);
    v = replace(key, v);
    if (typeof v !== 'object' || v === null) return v;
    if (ancestors.includes(v)) return '[unserializable: circular]';
    if (depth >= MAX_DEPTH) return '[unserializable: too deep]';
    const inner = [...ancestors, v];
    if (Array.isArray(v)) return v.map((item, i) => sanitize(item, String(i), inner, depth + 1));
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(v)) {
      try {
        out[k] = sanitize((v as Record<string, unknown>)[k], k, inner, depth + 1);
      } catch (error) {
        out[k] = threw(error);
      }
    }
    return out;
  } catch (error) {
    return threw(error);
  }
}

const threw = (error: unknown): string => `[unserializable: threw ${errorName(error)}]`;

function errorName(error: unknown): string {
  try {
    return error instanceof Error && typeof error.name === 'string' ? error.name : typeof error;
  } catch {
    return 'error';
  }
}

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = toJson(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** Answers 405 and returns false unless the method is GET or HEAD. */
export function readOnly(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  sendJson(req, res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
  return false;
}

/**
 * The last resort of a request: anything that threw while answering. Before the head is sent the
 * client gets a 500 without detail; after it, the response can no longer say so, and the
 * connection is destroyed. Never throws.
 */
export function failRequest(res: ServerResponse): void {
  try {
    if (!res.headersSent && !res.destroyed) {
      const text = '{"error":"internal error"}';
      res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(text.length) });
      res.end(text);
      return;
    }
  } catch {
    // fall through: the response is destroyed below
  }
  res.destroy();
}
