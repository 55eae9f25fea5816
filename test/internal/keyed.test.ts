import { Observable, of, type Subscriber } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { argumentsKey, replay, wrapKeyed } from '../../src/internal/keyed.js';

describe('wrapKeyed', () => {
  it('serves each call under its key and runs the function only when the source is subscribed', () => {
    const calls: string[] = [];
    const served: string[] = [];
    const serve = (key: string, source: Observable<number>) => {
      served.push(key);
      return source;
    };
    const wrapped = wrapKeyed(serve, (a: number, b: number) => {
      calls.push(`${a}+${b}`);
      return of(a + b);
    });
    const call = wrapped(1, 2);
    expect(calls).toEqual([]);
    const seen: number[] = [];
    call.subscribe((v) => seen.push(v));
    call.subscribe((v) => seen.push(v));
    expect({ served, calls, seen }).toEqual({ served: ['[1,2]', '[1,2]'], calls: ['1+2', '1+2'], seen: [3, 3] });
  });

  it('uses the given key function', () => {
    const served: string[] = [];
    const wrapped = wrapKeyed((key, source: Observable<string>) => (served.push(key), source), (id: string) => of(id), (id) => `user:${id}`);
    wrapped('7').subscribe();
    expect(served).toEqual(['user:7']);
  });

  it('argumentsKey is the arguments as JSON', () => {
    expect(argumentsKey('a', 1, { b: true })).toBe('["a",1,{"b":true}]');
  });
});

describe('replay', () => {
  it('emits every value mapped, then completes', () => {
    const seen: unknown[] = [];
    new Observable<string>((s) => replay([1, 2, 3], s, (v) => `#${v}`)).subscribe({ next: (v) => seen.push(v), complete: () => seen.push('done') });
    expect(seen).toEqual(['#1', '#2', '#3', 'done']);
  });

  it('stops as soon as the subscriber closes, without completing or mapping further values', () => {
    const seen: unknown[] = [];
    const mapped: number[] = [];
    const subscriber = {
      closed: false,
      next(value: number) {
        seen.push(value);
        if (value === 2) this.closed = true;
      },
      complete: () => seen.push('done'),
    };
    replay([1, 2, 3], subscriber as unknown as Subscriber<number>, (v) => (mapped.push(v), v));
    expect({ seen, mapped }).toEqual({ seen: [1, 2], mapped: [1, 2] });
  });

  it('completes at once with no values', () => {
    const seen: unknown[] = [];
    new Observable<number>((s) => replay([], s, (v) => v)).subscribe({ next: (v) => seen.push(v), complete: () => seen.push('done') });
    expect(seen).toEqual(['done']);
  });
});
