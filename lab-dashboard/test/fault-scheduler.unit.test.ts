import { type Faults, faultCatalog } from '@checkout-lab/contract';
import { describe, expect, it } from 'vitest';
import type { ScheduledFault, StackId } from '../shared/types';
import { FaultScheduler, type FaultStacks, plan } from '../server/fault-scheduler';
import { StackError } from '../server/stack-client';

const FAULTS: ScheduledFault[] = [
  { stack: 'monolith', name: 'smtp_down', value: true },
  { stack: 'micro', name: 'smtp_down', value: true },
  { stack: 'micro', name: 'hop_delay_ms', value: 200 },
];

const take = <T>(items: Generator<T>, n: number): T[] => Array.from({ length: n }, () => items.next().value as T);

/** Two stacks in memory, with the real catalogs; a fault named in notBuilt is refused as a stack refuses it. */
function fakeStacks(notBuilt: string[] = []) {
  const catalogs = {
    monolith: faultCatalog('monolith'),
    micro: faultCatalog('microservices'),
  } satisfies Record<StackId, unknown>;
  const values: Record<StackId, Record<string, unknown>> = {
    monolith: Object.fromEntries(catalogs.monolith.map((f) => [f.name, f.default])),
    micro: Object.fromEntries(catalogs.micro.map((f) => [f.name, f.default])),
  };
  const calls: { stack: StackId; changes: Partial<Faults> }[] = [];
  const stacks: FaultStacks = {
    async faults(stack) {
      return { faults: values[stack] as Record<string, boolean>, catalog: catalogs[stack] };
    },
    async setFaults(stack, changes) {
      calls.push({ stack, changes });
      for (const [name, value] of Object.entries(changes)) {
        const fault = catalogs[stack].find((f) => f.name === name);
        if (notBuilt.includes(name) && value !== fault?.default)
          throw new StackError(stack, 422, 'Not built yet', 'FAULT_NOT_IMPLEMENTED');
        values[stack][name] = value;
      }
      return values[stack];
    },
  };
  const allOff = (stack: StackId) => catalogs[stack].every((fault) => values[stack][fault.name] === fault.default);
  return { stacks, values, calls, allOff };
}

/**
 * A clock the test moves: each sleep of the scheduler waits until the test releases it (or the scheduler stops), so
 * the test decides how many steps of the plan run before it stops the scheduler.
 */
function steppedSleep() {
  const waiting: (() => void)[] = [];
  const watchers: { n: number; resolve: () => void }[] = [];
  let started = 0;
  const sleep = (_ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      signal.addEventListener('abort', () => resolve(), { once: true });
      started += 1;
      for (const watcher of watchers) if (started >= watcher.n) watcher.resolve();
    });
  return {
    sleep,
    /** Resolves once the scheduler has begun its n-th sleep. */
    sleeping: (n: number) =>
      started >= n ? Promise.resolve() : new Promise<void>((resolve) => watchers.push({ n, resolve })),
    release: () => waiting.shift()?.(),
  };
}

describe('the fault scheduler', () => {
  it('when the same seed plans twice, then it plans the same faults and the same times; another seed plans another day', () => {
    const first = take(plan(42, FAULTS, 2, 9), 50);
    expect(take(plan(42, FAULTS, 2, 9), 50)).toEqual(first);
    expect(take(plan(43, FAULTS, 2, 9), 50)).not.toEqual(first);
  });

  it('when it plans, then every time on and every pause is within [min_s, max_s], and each fault is one it was given', () => {
    const episodes = take(plan(7, FAULTS, 1.5, 4), 500);
    for (const episode of episodes) {
      expect(episode.on_ms).toBeGreaterThanOrEqual(1500);
      expect(episode.on_ms).toBeLessThanOrEqual(4000);
      expect(episode.pause_ms).toBeGreaterThanOrEqual(1500);
      expect(episode.pause_ms).toBeLessThanOrEqual(4000);
      expect(FAULTS).toContainEqual(episode.fault);
    }
    // Over 500 steps every fault it may use comes up.
    expect(new Set(episodes.map((e) => `${e.fault.stack}:${e.fault.name}`)).size).toBe(FAULTS.length);
  });

  it('when it has switched faults on and off and is stopped mid-fault, then every fault it set is off again and the history says so', async () => {
    const fake = fakeStacks();
    const clock = steppedSleep();
    const scheduler = new FaultScheduler(fake.stacks, { sleep: clock.sleep });
    await scheduler.start({ seed: 5, min_s: 1, max_s: 3, faults: FAULTS });
    // The first fault's time on, the pause after it, then the second fault on: stopped while it is on.
    await clock.sleeping(1);
    clock.release();
    await clock.sleeping(2);
    clock.release();
    await clock.sleeping(3);
    expect(scheduler.snapshot().active).toHaveLength(1);
    expect(fake.allOff('monolith') && fake.allOff('micro')).toBe(false);

    const stopped = await scheduler.stop();
    expect(fake.allOff('monolith')).toBe(true);
    expect(fake.allOff('micro')).toBe(true);
    expect(stopped.running).toBe(false);
    expect(stopped.active).toEqual([]);
    expect(stopped.history.map((e) => e.action)).toEqual(['on', 'off', 'on', 'revert']);
    // What was switched on first is what the seed's plan says, at the value it was given.
    const firstPlanned = take(plan(5, FAULTS, 1, 3), 1)[0].fault;
    expect(stopped.history[0]).toMatchObject({
      stack: firstPlanned.stack,
      fault: firstPlanned.name,
      value: firstPlanned.value,
      error: null,
    });
    expect(stopped.history[3]).toMatchObject({ fault: stopped.history[2].fault, action: 'revert' });
  });

  it('when a stack refuses a fault (not built yet), then the history keeps its code and nothing is left to revert', async () => {
    const fake = fakeStacks(['hop_delay_ms']);
    const clock = steppedSleep();
    const scheduler = new FaultScheduler(fake.stacks, { sleep: clock.sleep });
    await scheduler.start({
      seed: 1,
      min_s: 1,
      max_s: 1,
      faults: [{ stack: 'micro', name: 'hop_delay_ms', value: 50 }],
    });
    await clock.sleeping(1);
    const stopped = await scheduler.stop();
    expect(stopped.history).toEqual([
      expect.objectContaining({ stack: 'micro', fault: 'hop_delay_ms', action: 'on', error: 'FAULT_NOT_IMPLEMENTED' }),
    ]);
    expect(fake.allOff('micro')).toBe(true);
  });

  it('when a fault is not in its stack’s catalog or has no value to set, then start refuses with 422 and sets nothing', async () => {
    const fake = fakeStacks();
    const scheduler = new FaultScheduler(fake.stacks);
    await expect(
      scheduler.start({ seed: 1, min_s: 1, max_s: 2, faults: [{ stack: 'monolith', name: 'broker_down' }] }),
    ).rejects.toMatchObject({ status: 422, code: 'FAULT_NOT_APPLICABLE' });
    await expect(
      scheduler.start({ seed: 1, min_s: 1, max_s: 2, faults: [{ stack: 'micro', name: 'hop_delay_ms' }] }),
    ).rejects.toMatchObject({ status: 422, code: 'VALIDATION_ERROR' });
    expect(fake.calls).toEqual([]);
    expect(scheduler.snapshot().running).toBe(false);
  });

  it('when a crash point is left to the seed, then it is one of the stack’s own points, never "none"', async () => {
    const fake = fakeStacks();
    const clock = steppedSleep();
    const scheduler = new FaultScheduler(fake.stacks, { sleep: clock.sleep });
    const started = await scheduler.start({ seed: 9, min_s: 1, max_s: 1, faults: [{ stack: 'micro', name: 'crash' }] });
    expect(['after_commit_before_publish', 'after_effect_before_ack']).toContain(started.faults[0].value);
    await clock.sleeping(1);
    await scheduler.stop();
    expect(fake.values.micro.crash).toBe('none');
  });
});
