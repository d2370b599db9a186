import { idSchema, parseInput } from '@checkout-lab/kit';
import { z } from 'zod';

/** Integer ids in paths: anything else (letters, "0x10", "1e1", "1; DROP TABLE") is a 422 before any SQL runs. */
export { idSchema };

export function parseId(value: unknown, field = 'id'): number {
  return parseInput(z.object({ [field]: idSchema }), { [field]: value })[field] as number;
}
