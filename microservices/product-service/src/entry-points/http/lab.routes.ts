import { internalLabRoutes } from '@checkout-lab/shared';
import type { Router } from 'express';
import type { ProductFaults } from '../../domain/faults';
import type { labUseCases } from '../../domain/lab.use-case';

/**
 * /internal/lab/*: called by the gateway's admin lab endpoints, never proxied to the public (the gateway answers 404
 * for /internal). Compose keeps the service ports off the host network.
 */
export function labRoutes(lab: ReturnType<typeof labUseCases>, faults: ProductFaults): Router {
  return internalLabRoutes({
    service: 'product-service',
    faults,
    audit: () => lab.audit(),
    reset: async () => {
      await lab.reset();
    },
  });
}
