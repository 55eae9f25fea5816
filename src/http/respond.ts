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

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? renderError(v) : v === Infinity ? 'Infinity' : v));
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
