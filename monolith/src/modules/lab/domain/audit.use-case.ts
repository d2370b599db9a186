import { AppError, listCharges, PaymentUnavailable, providerView } from '@checkout-lab/kit';
import type { MonolithDeps } from '../../../shared/deps';
import { orderRepository } from '../../orders';

/**
 * GET /api/lab/audit: the shop's own record of every order (payments, emails) and stock, and the card provider's
 * ledger beside it. A charge the provider holds for an order the shop did not keep (rolled back after step 6) is an
 * orphan charge: the buyer paid for nothing.
 */
export async function auditLab(deps: MonolithDeps, since: Date | null) {
  const orders = orderRepository(deps.db);
  const audit = await orders.audit(since);
  let charges: Awaited<ReturnType<typeof listCharges>>;
  try {
    charges = await listCharges(deps.paymentProvider, { since });
  } catch (error) {
    if (!(error instanceof PaymentUnavailable)) throw error;
    throw new AppError({
      status: 502,
      code: 'PAYMENT_PROVIDER_UNAVAILABLE',
      message: `The audit needs the card provider's ledger: ${error.message}`,
    });
  }
  // Every order the shop kept that a charge names, in or before the window: an order made just before `since` may
  // have been charged after it.
  const kept = await orders.existingIds(charges.map((charge) => Number(charge.order_ref)).filter(Number.isInteger));
  const ledger = providerView(charges, kept);
  return {
    orders: audit.orders.map((order) => ({ ...order, provider_charges: ledger.perOrder.get(order.id) ?? 0 })),
    products: audit.products,
    orphan_charges: ledger.orphans,
  };
}
