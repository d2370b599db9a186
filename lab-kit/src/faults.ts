import {
  CRASH_POINTS,
  defaultFaults,
  type FaultName,
  type Faults,
  type FaultsAnswer,
  FaultsPatchSchema,
  faultCatalog,
  type Stack,
} from '@checkout-lab/contract';
import type { ZodType } from 'zod';
import { AppError, parseInput } from './http';

export type { FaultName, Faults };

/**
 * Faults of the catalog whose effect is not built yet: PUT accepts only their default, so no switch in the lab ever
 * says "on" while nothing breaks. Every fault of the catalog is built now; a new one waits here until its effect is.
 */
export const FAULTS_NOT_BUILT: readonly FaultName[] = [];

/**
 * PUT /api/lab/faults's body, checked the same way on both stacks: a 422 VALIDATION_ERROR for an unknown name or a bad
 * value, FAULT_NOT_APPLICABLE for a fault (or crash point) outside this stack's catalog, FAULT_NOT_IMPLEMENTED for a
 * fault not built yet set to anything but its default. The caller changes nothing unless this returns.
 */
export function parseFaultChanges(stack: Stack, body: unknown): Partial<Faults> {
  const changes = parseInput(FaultsPatchSchema, body ?? {});
  const catalog = new Map(faultCatalog(stack).map((fault) => [fault.name, fault]));
  const named = Object.keys(changes) as FaultName[];
  const foreign = named.filter((name) => !catalog.has(name));
  if (changes.crash && !(CRASH_POINTS[stack] as readonly string[]).includes(changes.crash)) foreign.push('crash');
  if (foreign.length > 0) {
    throw new AppError({
      status: 422,
      code: 'FAULT_NOT_APPLICABLE',
      message: `Not a fault of the ${stack}: ${foreign.join(', ')}`,
      details: foreign.map((name) => ({ field: name, message: `not in the ${stack}'s catalog` })),
    });
  }
  const notBuilt = named.filter(
    (name) => FAULTS_NOT_BUILT.includes(name) && changes[name] !== catalog.get(name)?.default,
  );
  if (notBuilt.length > 0) {
    throw new AppError({
      status: 422,
      code: 'FAULT_NOT_IMPLEMENTED',
      message: `Not built yet: ${notBuilt.join(', ')} (only its default is accepted)`,
      details: notBuilt.map((name) => ({ field: name, message: 'not built yet' })),
    });
  }
  return changes;
}

/** GET /api/lab/faults's answer: each fault of this stack's catalog with its value, then the catalog. */
export function faultsAnswer(stack: Stack, values: Partial<Faults>): FaultsAnswer {
  const catalog = faultCatalog(stack);
  return {
    faults: Object.fromEntries(catalog.map((fault) => [fault.name, values[fault.name] ?? fault.default])),
    catalog,
  };
}

/**
 * The faults one microservice owns, off at start, with the check of what the gateway sends to its
 * /internal/lab/faults: only these names, each with a value of its type.
 */
export function ownFaults<Name extends FaultName>(names: readonly Name[]) {
  const mask = Object.fromEntries(names.map((name) => [name, true])) as Partial<Record<FaultName, true>>;
  return {
    values: defaultFaults(names),
    update: FaultsPatchSchema.pick(mask) as unknown as ZodType<Partial<Pick<Faults, Name>>>,
  };
}
