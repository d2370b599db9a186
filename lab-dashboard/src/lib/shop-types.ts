/** The contract's shapes (docs/api.md), as the storefronts use them: the contract package's types. */
export type { Cart, Order, Product, Step as OrderStep } from '@checkout-lab/contract';

export const FINAL_STATUSES = new Set(['confirmed', 'cancelled']);
