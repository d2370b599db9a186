import { merchantSchema } from '@checkout-lab/contract';
import { DEFAULT_KNOBS, DEFAULT_PAYMENT_TIMEOUT_MS } from '@checkout-lab/kit';
import { env, loadConfig as load, serviceConfig } from '@checkout-lab/shared';
import type { z } from 'zod';

/** payment-service's environment, validated once at start; the only file that reads process.env. */
const schema = serviceConfig({
  /** The port it listens on (8002; 0: any free port). */
  PAYMENT_PORT: env.port('PAYMENT_PORT'),
  /** Its own database (checkout_payments): one payment per order, and the outbox of its outcomes. */
  ...serviceConfig.database('payments'),
  ...serviceConfig.broker(),
  OUTBOX_POLL_MS: env.ms(200),
  /** The simulated payment gateway call, in ms; changed at run time by PUT /internal/lab/config. */
  PAYMENT_DELAY_MS: env.ms(DEFAULT_KNOBS.payment_delay_ms),
  /** Share of payments declined, 0..1. */
  PAYMENT_FAILURE_RATE: env.rate(DEFAULT_KNOBS.payment_failure_rate),
  /** The card provider both stacks charge (payment-provider/), this stack's merchant name there, and how long a
   * charge may take before the attempt fails and the message is retried. */
  PAYMENT_PROVIDER_URL: env.serviceUrl('PAYMENT_PROVIDER_PORT'),
  PAYMENT_MERCHANT: merchantSchema.default('microservices'),
  PAYMENT_TIMEOUT_MS: env.ms(DEFAULT_PAYMENT_TIMEOUT_MS),
});

export type PaymentConfig = z.infer<typeof schema>;

export function loadConfig(source: Record<string, string | undefined> = process.env): PaymentConfig {
  return load(schema, source);
}
