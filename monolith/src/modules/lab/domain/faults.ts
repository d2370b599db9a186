import { defaultFaults, faultCatalog } from '@checkout-lab/contract';
import type { MonolithFaults } from '../../../shared/deps';

/** Every fault of the monolith's catalog at its default: how the shop starts, and what POST /faults/reset restores. */
export function monolithFaults(): MonolithFaults {
  return defaultFaults(faultCatalog('monolith').map((fault) => fault.name));
}
