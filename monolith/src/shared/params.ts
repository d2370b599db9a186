import { parseInput } from '@checkout-lab/kit';
import { z } from 'zod';

/** Integer ids in paths: anything else (letters, "1; DROP TABLE", 1e99) is a 422 before any SQL runs. */
export const idSchema = z.coerce.number().int().min(1).max(2147483647);

export function parseId(value: unknown, field = 'id'): number {
  return parseInput(z.object({ [field]: idSchema }), { [field]: value })[field] as number;
}
