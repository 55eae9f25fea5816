/**
 * A quote service written in fp-ts style, end to end, with rx-resilience/fp-ts. docs/fp-ts.md
 * shows this file; test/fp-ts/program.test.ts runs it. Run it with `npx tsx examples/fp-ts/quotes.ts`.
 */
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { concatMap, from, lastValueFrom, toArray } from 'rxjs';
import { cache, circuitBreaker, constant, fallbackLadder, isResilienceError, retryBackoff, type ResilienceError } from 'rx-resilience';
import { fromTagged, fromTaskEither, protect, toEither } from 'rx-resilience/fp-ts';

export interface Quote {
  readonly symbol: string;
  readonly price: number;
}
export type QuoteError = { readonly kind: 'unknown-symbol'; readonly symbol: string } | { readonly kind: 'unavailable'; readonly status: number };
export interface Exchange {
  quote(symbol: string): TE.TaskEither<QuoteError, Quote>;
}

const isQuoteError = (e: unknown): e is QuoteError => typeof e === 'object' && e !== null && 'kind' in e;
/** Only an unavailable exchange says something about its health; an unknown symbol is the caller's mistake. */
const unavailable = (e: unknown): boolean => isQuoteError(e) && e.kind === 'unavailable';

/** An exchange answering from a script, one answer per call ('down': HTTP 503), the last one repeated. */
export function scriptedExchange(script: Readonly<Record<string, readonly (number | 'down')[]>>): Exchange {
  const calls = new Map<string, number>();
  return {
    quote: (symbol) => async () => {
      const n = (calls.get(symbol) ?? 0) + 1;
      calls.set(symbol, n);
      const answers = script[symbol];
      if (answers === undefined) return E.left({ kind: 'unknown-symbol', symbol });
      const answer = answers[Math.min(n, answers.length) - 1];
      return answer === 'down' ? E.left({ kind: 'unavailable', status: 503 }) : E.right({ symbol, price: answer! });
    },
  };
}

const describeError = (error: QuoteError | ResilienceError): string =>
  isResilienceError(error) ? error.code : error.kind === 'unknown-symbol' ? `no symbol ${error.symbol}` : `HTTP ${error.status}`;

/** What the exchange answers in this run. */
export const script: Readonly<Record<string, readonly (number | 'down')[]>> = { ACME: [101.5], INIT: ['down', 99], DOWN: ['down'] };

export async function main(exchange: Exchange, log: (line: string) => void = console.log): Promise<void> {
  // Policies are built once, at start-up, and shared by every call.
  const breaker = circuitBreaker({ name: 'exchange', strategy: { kind: 'consecutive', failures: 3 }, isFailure: unavailable });
  const retry = retryBackoff({ name: 'exchange-retry', maxAttempts: 2, backoff: constant(0), shouldRetry: unavailable });
  const closing: Readonly<Record<string, Quote>> = { DOWN: { symbol: 'DOWN', price: 42 } };
  const ladder = fallbackLadder({
    name: 'quotes',
    cache: cache({ name: 'quotes', ttl: 60_000 }),
    default: (_error, symbol) => closing[symbol],
    isFailure: (error) => !isQuoteError(error) || error.kind === 'unavailable',
  });

  // TaskEither<QuoteError | ResilienceError, Tagged<Quote, Quote>>: the retry runs outside the breaker.
  const quote = (symbol: string) => pipe(exchange.quote(symbol), protect(breaker), protect(retry), protect(ladder.forKey(symbol)));

  for (const symbol of ['ACME', 'ACME', 'INIT', 'NOPE', 'DOWN']) {
    const line = await pipe(
      quote(symbol),
      TE.map((tagged) =>
        pipe(
          fromTagged(tagged),
          E.match(
            (stood) => `${symbol}: ${stood.value.price} from ${stood.source} (${stood.warnings.join('; ')})`,
            (answered) => `${symbol}: ${answered.value.price} from ${answered.source}`,
          ),
        ),
      ),
      TE.getOrElse((error) => async () => `${symbol}: failed, ${describeError(error)}`),
    )();
    log(line);
  }

  // A stream of calls that never errors: each call's outcome is an Either.
  const outcomes = await lastValueFrom(
    from(['DOWN', 'ACME']).pipe(
      concatMap((symbol) => fromTaskEither(exchange.quote(symbol)).pipe(breaker, toEither((error) => error as QuoteError | ResilienceError))),
      toArray(),
    ),
  );
  for (const outcome of outcomes) log(pipe(outcome, E.match((error) => `stream: failed, ${describeError(error)}`, (q) => `stream: ${q.symbol} ${q.price}`)));
  log(`breaker: ${breaker.stats().state}`);
  // Shutting down: an open breaker's half-open timer would keep Node alive until it fires.
  breaker.reset();
}

if (process.argv[1]?.endsWith('quotes.ts')) {
  void main(scriptedExchange(script));
}
