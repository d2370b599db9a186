import { type Charge, ChargeSchema } from '@checkout-lab/contract';
import { z } from 'zod';

/**
 * The shops' side of the payment provider (payment-provider/, docs/api.md "Payment provider"): both stacks' chargeCard
 * call it over HTTP, and their audits read its ledger. One client, so the two stacks charge the same way.
 */
export interface PaymentProvider {
  /** The provider's base URL (PAYMENT_PROVIDER_URL, default http://127.0.0.1:8007). */
  url: string;
  /** Whose charges these are (PAYMENT_MERCHANT: `monolith`, `microservices`, or a test's own name). */
  merchant: string;
  /** How long a shop waits for a charge before it gives up (PAYMENT_TIMEOUT_MS, default 3000). */
  timeoutMs: number;
}

export const DEFAULT_PAYMENT_TIMEOUT_MS = 3000;

/** Why a charge got no answer: the provider did not answer in time, could not be reached, or refused the request. */
export class PaymentUnavailable extends Error {
  constructor(
    readonly reason: 'timeout' | 'unreachable' | 'in_progress' | 'refused',
    message: string,
  ) {
    super(message);
  }
}

const ChargeListSchema = z.object({ charges: z.array(ChargeSchema) });

async function callProvider(
  provider: PaymentProvider,
  path: string,
  init: RequestInit & { timeoutMs?: number },
): Promise<{ status: number; body: unknown }> {
  const timeoutMs = init.timeoutMs ?? provider.timeoutMs;
  let response: Response;
  try {
    response = await fetch(`${provider.url}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') {
      throw new PaymentUnavailable('timeout', `the payment provider did not answer within ${timeoutMs} ms`);
    }
    throw new PaymentUnavailable('unreachable', `the payment provider is unreachable (${(error as Error).message})`);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: response.status, body };
}

/**
 * Asks the provider for a charge and waits for its decision ("succeeded" or "declined"). The idempotency key makes a
 * retry safe: the same key answers the same charge, never a second one. Throws PaymentUnavailable when no decision
 * came back: then the shop cannot know whether the money was taken, and a retry with the same key finds out.
 */
export async function requestCharge(
  provider: PaymentProvider,
  charge: {
    idempotencyKey: string;
    orderRef: string;
    amount: string;
    simulate: { delay_ms: number; failure_rate: number; hang?: boolean };
  },
): Promise<Charge> {
  const answer = await callProvider(provider, '/v1/charges', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': charge.idempotencyKey },
    body: JSON.stringify({
      merchant: provider.merchant,
      order_ref: charge.orderRef,
      amount: charge.amount,
      simulate: { hang: false, ...charge.simulate },
    }),
  });
  if (answer.status === 200 || answer.status === 201) return ChargeSchema.parse(answer.body);
  const code = (answer.body as { error?: { code?: string } } | null)?.error?.code;
  if (code === 'CHARGE_IN_PROGRESS') {
    throw new PaymentUnavailable('in_progress', 'the payment provider is still deciding this charge');
  }
  throw new PaymentUnavailable('refused', `the payment provider answered ${answer.status} ${code ?? ''}`.trim());
}

/** Gives a succeeded charge's money back (a compensation); refunding twice is the same refund. */
export async function refundCharge(provider: PaymentProvider, chargeId: string): Promise<Charge> {
  const answer = await callProvider(provider, `/v1/charges/${encodeURIComponent(chargeId)}/refund`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ merchant: provider.merchant }),
  });
  if (answer.status === 200) return ChargeSchema.parse(answer.body);
  const code = (answer.body as { error?: { code?: string } } | null)?.error?.code;
  throw new PaymentUnavailable('refused', `the refund of ${chargeId} answered ${answer.status} ${code ?? ''}`.trim());
}

/** The merchant's charges in the provider's ledger (succeeded ones unless told), for the shops' audits. */
export async function listCharges(
  provider: PaymentProvider,
  query: { since?: Date | null; status?: Charge['status'] } = {},
): Promise<Charge[]> {
  const params = new URLSearchParams({ merchant: provider.merchant, status: query.status ?? 'succeeded' });
  if (query.since) params.set('since', query.since.toISOString());
  const answer = await callProvider(provider, `/v1/charges?${params}`, { method: 'GET', timeoutMs: 10_000 });
  if (answer.status !== 200) {
    throw new PaymentUnavailable('refused', `the payment provider's ledger answered ${answer.status}`);
  }
  return ChargeListSchema.parse(answer.body).charges;
}

/** The lab's reset: forgets the merchant's charges, since the shop's order ids start again after its own reset. */
export async function resetCharges(provider: PaymentProvider): Promise<number> {
  const answer = await callProvider(provider, '/v1/lab/reset', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ merchant: provider.merchant }),
    timeoutMs: 10_000,
  });
  if (answer.status !== 200) throw new PaymentUnavailable('refused', `the provider's reset answered ${answer.status}`);
  return (answer.body as { deleted: number }).deleted;
}

/**
 * The audit's view of the ledger: succeeded charges per order, and the orphans, charges for no order the shop kept
 * (docs/api.md "Payment provider"). orderIds are every order the shop has.
 */
export function providerView(
  charges: Charge[],
  orderIds: Iterable<number>,
): {
  perOrder: Map<number, number>;
  orphans: { provider_charge_id: string; order_ref: string; amount: string }[];
} {
  const kept = new Set([...orderIds].map(String));
  const perOrder = new Map<number, number>();
  const orphans: { provider_charge_id: string; order_ref: string; amount: string }[] = [];
  for (const charge of charges) {
    if (charge.status !== 'succeeded') continue;
    if (kept.has(charge.order_ref)) {
      const id = Number(charge.order_ref);
      perOrder.set(id, (perOrder.get(id) ?? 0) + 1);
    } else {
      orphans.push({ provider_charge_id: charge.id, order_ref: charge.order_ref, amount: charge.amount });
    }
  }
  return { perOrder, orphans };
}
