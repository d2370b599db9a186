import { z } from 'zod';

export interface EmailKnobs {
  email_delay_ms: number;
}

export const knobsUpdateSchema = z.object({ email_delay_ms: z.number().int().min(0).max(60_000).optional() }).strict();
