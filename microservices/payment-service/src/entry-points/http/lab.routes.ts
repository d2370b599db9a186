import { internalLabRoutes, type Pool } from '@checkout-lab/shared';
import type { Router } from 'express';
import { paymentRepository } from '../../data-access/payment.repository';
import { knobsUpdateSchema, type PaymentFaults, type PaymentKnobs } from '../../domain/knobs';

/** Internal lab endpoints, called by the gateway's /api/lab/*: the knobs, the faults, the audit, the reset. */
export function labRoutes(deps: { pool: Pool; knobs: PaymentKnobs; faults: PaymentFaults }): Router {
  return internalLabRoutes({
    service: 'payment-service',
    knobs: { values: deps.knobs, update: knobsUpdateSchema },
    faults: deps.faults,
    audit: async (since) => ({ payments: await paymentRepository.audit(deps.pool, since) }),
    reset: () => paymentRepository.reset(deps.pool),
  });
}
