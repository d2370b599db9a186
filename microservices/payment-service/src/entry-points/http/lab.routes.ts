import { listCharges, type PaymentProvider, resetCharges } from '@checkout-lab/kit';
import { internalLabRoutes, type Pool } from '@checkout-lab/shared';
import type { Router } from 'express';
import { paymentRepository } from '../../data-access/payment.repository';
import { knobsUpdateSchema, type PaymentFaults, type PaymentKnobs } from '../../domain/knobs';

/** Internal lab endpoints, called by the gateway's /api/lab/*: the knobs, the faults, the audit, the reset. */
export function labRoutes(deps: {
  pool: Pool;
  knobs: PaymentKnobs;
  provider: PaymentProvider;
  faults: PaymentFaults;
}): Router {
  return internalLabRoutes({
    service: 'payment-service',
    knobs: { values: deps.knobs, update: knobsUpdateSchema },
    faults: deps.faults,
    // The shop's payments, and the card provider's ledger of this stack's succeeded charges beside them.
    audit: async (since) => ({
      payments: await paymentRepository.audit(deps.pool, since),
      provider_charges: await listCharges(deps.provider, { since }),
    }),
    // The order ids start again at 1: the provider forgets this stack's charges, or they would answer for new orders.
    reset: async () => {
      await paymentRepository.reset(deps.pool);
      return { charges_deleted: await resetCharges(deps.provider) };
    },
  });
}
