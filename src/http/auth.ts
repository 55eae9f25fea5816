/**
 * Bearer-token check for `/health/detailed`. Only the SHA-256 digest of the token is kept; a
 * presented token is hashed and compared with `crypto.timingSafeEqual` (equal-length digests, so
 * the comparison time does not depend on where the tokens differ or on their lengths). The token
 * never appears in an error, a log line or a response.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export function bearerGuard(token: string): (req: IncomingMessage) => boolean {
  const expected = digest(token);
  return (req) => {
    const header = req.headers.authorization;
    if (typeof header !== 'string') return false;
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    return match !== null && timingSafeEqual(digest(match[1]!), expected);
  };
}
