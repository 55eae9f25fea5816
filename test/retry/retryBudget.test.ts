import { fc, test } from '@fast-check/vitest';
import { defer, throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { constant, retryBackoff, retryBudget, type RetryBackoffEvent, type RetryBudgetConfig } from 'rx-resilience';
import { expectConfigError } from '../helpers/configError.js';

const boom = new Error('boom');

function clock() {
  const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
  return { scheduler, at: (t: number) => void (scheduler.frame = t) };
}

describe('retryBudget', () => {
  it('starts with the reserve, minPerSecond · window / 1000 retries', () => {
    const { scheduler } = clock();
    expect(retryBudget({ scheduler }).stats()).toEqual({ name: expect.stringMatching(/^retry-budget-\d+$/), available: 100, deposits: 0, granted: 0, refused: 0 });
    expect(retryBudget({ minPerSecond: 2, window: 1500, scheduler }).stats().available).toBe(3);
  });

  it('lets each first attempt deposit ratio, and each retry withdraw 1', () => {
    const { scheduler } = clock();
    const budget = retryBudget({ ratio: 0.2, minPerSecond: 0, scheduler });
    expect(budget.tryWithdraw()).toBe(false);
    for (let i = 0; i < 10; i++) budget.deposit();
    expect(budget.stats().available).toBe(2);
    expect([budget.tryWithdraw(), budget.tryWithdraw(), budget.tryWithdraw()]).toEqual([true, true, false]);
    expect(budget.stats()).toMatchObject({ available: 0, deposits: 10, granted: 2, refused: 2 });
  });

  it('draws on the ratio account first and keeps the reserve for quiet times', () => {
    const { scheduler } = clock();
    const budget = retryBudget({ ratio: 1, minPerSecond: 1, window: 2000, scheduler });
    budget.deposit();
    expect(budget.stats().available).toBe(3);
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.stats().available).toBe(2); // the reserve is untouched
    expect([budget.tryWithdraw(), budget.tryWithdraw(), budget.tryWithdraw()]).toEqual([true, true, false]);
  });

  it('refills the reserve continuously at minPerSecond', () => {
    const { scheduler, at } = clock();
    const budget = retryBudget({ ratio: 0, minPerSecond: 10, window: 1000, scheduler });
    for (let i = 0; i < 10; i++) expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(false);
    at(99);
    expect(budget.tryWithdraw()).toBe(false);
    at(100);
    expect(budget.tryWithdraw()).toBe(true);
    at(5000);
    expect(budget.stats().available).toBe(10); // never above the reserve's size
  });

  it('forgets deposits and withdrawals after the window, in buckets of window / 10 aligned on the clock', () => {
    const { scheduler, at } = clock();
    const budget = retryBudget({ ratio: 1, minPerSecond: 0, window: 1000, scheduler });
    budget.deposit();
    budget.deposit();
    budget.deposit();
    at(999);
    expect(budget.stats().available).toBe(3);
    at(1000);
    expect(budget.stats().available).toBe(0);
    budget.deposit();
    budget.deposit();
    at(1500);
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(true);
    at(2000);
    budget.deposit(); // deposits at 1000 are gone; the withdrawals of 1500 still count
    expect(budget.tryWithdraw()).toBe(false);
    at(2500);
    expect(budget.tryWithdraw()).toBe(true);
  });

  it('shows the available retries on state$, replayed and emitted on change', () => {
    const { scheduler } = clock();
    const budget = retryBudget({ ratio: 0.5, minPerSecond: 0, scheduler });
    const seen: number[] = [];
    budget.state$.subscribe((n) => seen.push(n));
    budget.deposit(); // 0.5: still 0 whole retries
    budget.deposit();
    budget.tryWithdraw();
    budget.tryWithdraw(); // refused: no change
    const late: number[] = [];
    budget.state$.subscribe((n) => late.push(n));
    expect(seen).toEqual([0, 1, 0]);
    expect(late).toEqual([0]);
  });

  it('is shared by many retryBackoff operators, and surfaces the original error once spent', () => {
    const { scheduler } = clock();
    const budget = retryBudget({ ratio: 0.5, minPerSecond: 0, scheduler });
    const a = retryBackoff({ name: 'a', maxAttempts: 5, backoff: constant(0), budget, scheduler });
    const b = retryBackoff({ name: 'b', maxAttempts: 5, backoff: constant(0), budget, scheduler });
    const events: RetryBackoffEvent[] = [];
    a.events$.subscribe((e) => events.push(e));
    b.events$.subscribe((e) => events.push(e));
    let subscriptions = 0;
    const failing = defer(() => (subscriptions++, throwError(() => boom)));
    const errors: unknown[] = [];
    for (const policy of [a, b, a, b]) failing.pipe(policy).subscribe({ error: (e) => errors.push(e) });
    // 4 first attempts deposit 2 retries in all: the first call spends both, the others none.
    expect(subscriptions).toBe(4 + 2);
    expect(errors).toEqual([boom, boom, boom, boom]);
    expect(events.filter((e) => e.type === 'retry').length).toBe(2);
    expect(events.filter((e) => e.type === 'give-up').map((e) => e.type === 'give-up' && e.reason)).toEqual(['budget', 'budget', 'budget', 'budget']);
    expect(budget.stats()).toMatchObject({ deposits: 4, granted: 2, refused: 4 });
  });

  it('caps a retry storm at about ratio · calls plus the reserve', () => {
    const { scheduler } = clock();
    const budget = retryBudget({ ratio: 0.2, minPerSecond: 10, window: 10_000, scheduler });
    const retry = retryBackoff({ maxAttempts: 3, backoff: constant(0), budget, scheduler });
    let subscriptions = 0;
    const failing = defer(() => (subscriptions++, throwError(() => boom)));
    for (let i = 0; i < 1000; i++) failing.pipe(retry).subscribe({ error: () => undefined });
    const retries = subscriptions - 1000;
    expect(retries).toBeLessThanOrEqual(0.2 * 1000 + 100);
    expect(retries).toBeGreaterThanOrEqual(100);
  });

  it('uses the given name', () => {
    expect(retryBudget({ name: 'fleet' }).name).toBe('fleet');
  });
});

describe('retryBudget properties', () => {
  const opArb = fc.oneof(
    fc.constant({ op: 'deposit' as const }),
    fc.constant({ op: 'withdraw' as const }),
    fc.integer({ min: 1, max: 3000 }).map((ms) => ({ op: 'advance' as const, ms })),
  );
  const configArb = fc.record({
    ratio: fc.oneof(fc.constantFrom(0, 0.1, 0.2, 1), fc.double({ min: 0, max: 3, noNaN: true })),
    minPerSecond: fc.oneof(fc.constantFrom(0, 1, 10), fc.double({ min: 0, max: 20, noNaN: true })),
    window: fc.integer({ min: 10, max: 20_000 }),
  });

  test.prop([configArb, fc.array(opArb, { maxLength: 300 })])('never lets retries exceed ratio · calls + minPerSecond · (elapsed + window) / 1000', (config, ops) => {
    const { scheduler, at } = clock();
    const budget = retryBudget({ ...config, scheduler });
    let now = 0;
    let calls = 0;
    let granted = 0;
    for (const o of ops) {
      if (o.op === 'advance') at((now += o.ms));
      else if (o.op === 'deposit') {
        budget.deposit();
        calls++;
      } else if (budget.tryWithdraw()) granted++;
      expect(granted).toBeLessThanOrEqual(config.ratio * calls + (config.minPerSecond * (now + config.window)) / 1000 + 1e-6);
      expect(budget.stats().available).toBeGreaterThanOrEqual(0);
    }
    expect(budget.stats()).toMatchObject({ deposits: calls, granted });
  });

  test.prop([configArb, fc.array(opArb, { maxLength: 100 })])('always grants the reserve again after a quiet window', (config, ops) => {
    fc.pre((config.minPerSecond * config.window) / 1000 >= 1);
    const { scheduler, at } = clock();
    const budget = retryBudget({ ...config, scheduler });
    let now = 0;
    for (const o of ops) {
      if (o.op === 'advance') at((now += o.ms));
      else if (o.op === 'deposit') budget.deposit();
      else budget.tryWithdraw();
    }
    at(now + 2 * config.window);
    const reserve = Math.floor((config.minPerSecond * config.window) / 1000 + 1e-9);
    for (let i = 0; i < reserve; i++) expect(budget.tryWithdraw()).toBe(true);
  });
});

describe('retryBudget config validation', () => {
  const bad: [field: string, config: unknown][] = [
    ['config', 0.2],
    ['ratoi', { ratoi: 0.2 }],
    ['ratio', { ratio: -0.1 }],
    ['ratio', { ratio: Number.NaN }],
    ['ratio', { ratio: 5000 }],
    ['minPerSecond', { minPerSecond: -1 }],
    ['minPerSecond', { minPerSecond: Number.POSITIVE_INFINITY }],
    ['window', { window: 0 }],
    ['window', { window: Number.POSITIVE_INFINITY }],
    ['name', { name: '' }],
    ['scheduler', { scheduler: 'async' }],
  ];

  it.each(bad)('a bad %s throws ConfigError naming it', (field, config) => {
    expectConfigError(() => retryBudget(config as RetryBudgetConfig), field);
  });
});
