import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Alarm } from '../../src/internal/alarm.js';
import { liveActions } from '../helpers/schedulers.js';

/** An alarm over a sorted list of deadlines; `fired` records when due work ran and for which deadlines. */
function setup() {
  const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
  const policy = liveActions(scheduler);
  const deadlines: number[] = [];
  const fired: string[] = [];
  const alarm = new Alarm(
    policy.scheduler,
    () => deadlines[0],
    () => {
      while (deadlines.length > 0 && deadlines[0]! <= scheduler.now()) fired.push(`${deadlines.shift()}@${scheduler.now()}`);
    },
  );
  const add = (at: number) => {
    deadlines.push(at);
    deadlines.sort((a, b) => a - b);
    alarm.request(at, scheduler.now());
  };
  return { scheduler, policy, deadlines, fired, add };
}

describe('Alarm', () => {
  it('runs due work at each deadline with one action at most, and re-arms earlier for an earlier deadline', () => {
    const { scheduler, policy, fired, add } = setup();
    add(10);
    add(20);
    expect(policy.live()).toBe(1);
    add(5);
    expect(policy.live()).toBe(1);
    scheduler.flush();
    expect(fired).toEqual(['5@5', '10@10', '20@20']);
    expect(policy.live()).toBe(0);
  });

  it('is cancelled lazily: a deadline withdrawn leaves the action, which ends at its time without work', () => {
    const { scheduler, policy, deadlines, fired, add } = setup();
    add(10);
    deadlines.length = 0;
    expect(policy.live()).toBe(1);
    scheduler.flush();
    expect(fired).toEqual([]);
    expect(scheduler.now()).toBe(10);
    expect(policy.live()).toBe(0);
  });

  it('waits again when it wakes before the earliest deadline (a deadline moved later)', () => {
    const { scheduler, policy, deadlines, fired, add } = setup();
    add(10);
    deadlines[0] = 25;
    scheduler.flush();
    expect(fired).toEqual(['25@25']);
    expect(policy.lastRanAt()).toBe(25);
  });

  it('lets a notification already scheduled for the deadline instant run first', () => {
    const { scheduler, fired, add } = setup();
    add(10);
    const order: string[] = [];
    scheduler.schedule(() => order.push(`value@${scheduler.now()}`), 10);
    scheduler.flush();
    order.push(...fired);
    expect(order).toEqual(['value@10', '10@10']);
  });
});
