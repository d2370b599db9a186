import type { FaultsAnswer, Patterns } from '@checkout-lab/contract';
import { ApiClient, StackApi } from './client';
import type { BenchOptions, StackName } from './options';

/** What was switched away from its default on a stack when a run started: the report says so beside its figures. */
export interface InForce {
  /** Faults not at their default (GET /api/lab/faults), e.g. {smtp_down: true}; empty: none. */
  faults: Record<string, boolean | number | string>;
  /** The microservices' reliability patterns that were off (GET /api/lab/patterns); empty: all on (the monolith: none). */
  patterns_off: string[];
}

/**
 * Reads a stack's faults and patterns as the run starts (admin), so a report made while a student had broken something
 * says what was broken. A stack that cannot answer (an older lab) records nothing rather than failing the run.
 */
export async function readInForce(options: BenchOptions, stack: StackName): Promise<InForce | undefined> {
  const client = new ApiClient(stack === 'monolith' ? options.monolithUrl : options.gatewayUrl);
  try {
    const token = await new StackApi(client).login(options.admin.email, options.admin.password);
    const faults = await client.request<FaultsAnswer>('GET', '/api/lab/faults', { token });
    if (faults.status !== 200) return undefined;
    const changed = Object.fromEntries(
      faults.body.catalog
        .filter((fault) => faults.body.faults[fault.name] !== fault.default)
        .map((fault) => [fault.name, faults.body.faults[fault.name]]),
    );
    let patternsOff: string[] = [];
    if (stack === 'micro') {
      const patterns = await client.request<Patterns>('GET', '/api/lab/patterns', { token });
      if (patterns.status === 200)
        patternsOff = Object.entries(patterns.body)
          .filter(([, on]) => !on)
          .map(([name]) => name);
    }
    return { faults: changed, patterns_off: patternsOff };
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}

/** One line for the report: "smtp_down=true; patterns off: outbox", or "none". */
export function describeInForce(inForce: InForce | undefined): string {
  if (!inForce) return '–';
  const parts = Object.entries(inForce.faults).map(([name, value]) => `${name}=${value}`);
  if (inForce.patterns_off.length) parts.push(`patterns off: ${inForce.patterns_off.join(', ')}`);
  return parts.join('; ') || 'none';
}
