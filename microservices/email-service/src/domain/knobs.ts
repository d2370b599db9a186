import { ownFaults } from '@checkout-lab/kit';
import { z } from 'zod';

export interface EmailKnobs {
  email_delay_ms: number;
}

/** The faults of the fault lab that act in this service's SMTP sends: off at start, set by /internal/lab/faults. */
export const emailFaults = () => ownFaults(['smtp_down', 'email_failure_rate']);
export type EmailFaults = ReturnType<typeof emailFaults>;

export const knobsUpdateSchema = z.object({ email_delay_ms: z.number().int().min(0).max(60_000).optional() }).strict();
