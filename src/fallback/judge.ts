/**
 * The failure judgement of the fallbacks: which errors they replace (`isFailure`, or its older
 * name `when`) and which values count as a failure (`isFailureResult`). Shared by `fallback` and
 * `fallbackLadder`.
 */
import { Observable } from 'rxjs';
import { FailureResultError } from '../errors.js';
import type { Check } from '../internal/validate.js';

export interface ParsedJudge {
  readonly isFailure: ((error: unknown) => boolean) | undefined;
  readonly isFailureResult: ((value: unknown) => boolean) | undefined;
}

/** `isFailure` and `isFailureResult` from a config object already checked for its keys; `when` is `isFailure`'s older name. */
export function parseJudge(check: Check, c: Readonly<Record<string, unknown>>): ParsedJudge {
  if (c.when !== undefined && c.isFailure !== undefined) check.fail('when', c.when, 'left out when isFailure is given (when is the older name of isFailure)');
  return {
    isFailure: check.fn<(error: unknown) => boolean>(c.when === undefined ? 'isFailure' : 'when', c.when ?? c.isFailure),
    isFailureResult: check.fn<(value: unknown) => boolean>('isFailureResult', c.isFailureResult),
  };
}

/** What `isFailureResult` threw: the call errors with it, and no rung replaces it. */
class JudgeThrew {
  constructor(readonly error: unknown) {}
}

/**
 * The source, ended at its first value that `isFailureResult` matches by a `FailureResultError`
 * carrying that value (the source is unsubscribed, as after any error). A throwing predicate ends
 * it too, boxed so that `unbox` tells it apart from the source's own errors.
 */
export function judgeValues<T>(policy: string, source: Observable<T>, isFailureResult: ((value: unknown) => boolean) | undefined): Observable<T> {
  if (isFailureResult === undefined) return source;
  return new Observable<T>((subscriber) =>
    source.subscribe({
      next: (value) => {
        let failed: boolean;
        try {
          failed = isFailureResult(value) === true;
        } catch (thrown) {
          subscriber.error(new JudgeThrew(thrown));
          return;
        }
        if (failed) subscriber.error(new FailureResultError(policy, value));
        else subscriber.next(value);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    }),
  );
}

/** Rethrows what `isFailureResult` threw; returns any other error as it is. */
export function unbox(error: unknown): unknown {
  if (error instanceof JudgeThrew) throw error.error;
  return error;
}

/** True when the fallback replaces `error`: a failing value always, an error when `isFailure` accepts it. */
export function replaces(judge: ParsedJudge, error: unknown): boolean {
  return error instanceof FailureResultError || judge.isFailure === undefined || judge.isFailure(error);
}
