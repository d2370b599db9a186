import { NO_FIXES } from '@checkout-lab/contract';
import { describe, expect, it } from 'vitest';
import { type EngineOutcome, type LoadEngine, RunManager } from '../server/runs/run-manager';
import type { RunsRepository } from '../server/runs/runs.repository';
import type { StackClient } from '../server/stack-client';
import { DEFAULT_RUN_SETTINGS, type RunRecord, type TargetId } from '../shared/types';

/** A stack as the run manager uses it: its fix switches, and no orders. */
function fakeStack(fixes: Record<string, boolean>) {
  return {
    fixes: async () => ({ ...fixes }),
    putFixes: async (changes: Record<string, boolean>) => Object.assign(fixes, changes),
    orders: async () => [],
  } as unknown as StackClient;
}

const outcome: EngineOutcome = {
  requests: 1,
  requests_per_sec: 1,
  errors: 0,
  non_2xx: 0,
  latency_ms: { p50: 1, p90: 1, p99: 1, max: 1 },
  throughput: [],
  samples: [],
  invariants: [],
};

describe('a load run of all three from the dashboard', () => {
  it('when the student had a fix on, then the plain monolith runs with every fix off, and the switches come back after', async () => {
    const monolithFixes: Record<string, boolean> = { ...NO_FIXES, short_lock: true };
    const seen: { target: TargetId; fixes: Record<string, boolean> }[] = [];
    const engine: LoadEngine = {
      run: async (target) => {
        seen.push({ target, fixes: { ...monolithFixes } });
        return outcome;
      },
    };
    let finished: Partial<RunRecord> | null = null;
    const repository = {
      create: async (settings: RunRecord['settings']) => ({ id: 1, settings }) as RunRecord,
      finish: async (_id: number, result: Partial<RunRecord>) => {
        finished = result;
      },
    } as unknown as RunsRepository;
    const manager = new RunManager(
      repository,
      { monolith: fakeStack(monolithFixes), micro: fakeStack({}) },
      async () => engine,
    );
    await manager.start({ ...DEFAULT_RUN_SETTINGS, target: 'all' });
    await manager.settled();
    expect(seen.map((s) => s.target)).toEqual(['monolith', 'monolith-fixed', 'micro']);
    expect(seen[0].fixes).toEqual(NO_FIXES);
    expect(monolithFixes).toEqual({ ...NO_FIXES, short_lock: true });
    expect(finished).toMatchObject({ status: 'finished' });
  });
});
