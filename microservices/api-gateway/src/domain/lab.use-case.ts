import {
  type DeadLetter as ContractDeadLetter,
  defaultFaults,
  type FaultName,
  type Faults,
  type FaultsAnswer,
} from '@checkout-lab/contract';
import type { Charge } from '@checkout-lab/contract';
import { faultsAnswer, type Knobs, providerView } from '@checkout-lab/kit';
import type { DeadLetter } from '@checkout-lab/shared';
import type { DeadLettersRepository } from '../data-access/dead-letters.repository';
import type { ServiceClient, ServiceName } from '../data-access/service.client';

interface AuditOrder {
  id: number;
  status: string;
  failure_reason: string | null;
}

/** payment-service's statuses that mean "the buyer was charged". */
const CHARGED = new Set(['succeeded', 'processed', 'paid', 'captured', 'approved']);

/** The services whose state a lab reset clears; the user accounts stay, as in the monolith. */
const RESET_ORDER: ServiceName[] = [
  'order-service',
  'payment-service',
  'email-service',
  'cart-service',
  'product-service',
];

/**
 * The service that keeps each fault and makes it happen, through its /internal/lab/faults; the gateway keeps none of
 * its own. A fault with no owner is not built yet (lab-kit's FAULTS_NOT_BUILT): it stays at its default.
 */
const FAULT_OWNERS: Partial<Record<FaultName, ServiceName>> = {
  payment_hang: 'payment-service',
  smtp_down: 'email-service',
  email_failure_rate: 'email-service',
  stock_db_delay_ms: 'product-service',
};

/**
 * crash is one enum with a point in each of two services: the service whose point it names holds it, the other
 * holds "none" (one crash point is armed at a time, as on the monolith).
 */
const CRASH_POINT_OWNERS: Record<string, ServiceName> = {
  after_commit_before_publish: 'order-service',
  after_effect_before_ack: 'payment-service',
};
const CRASH_SERVICES = [...new Set(Object.values(CRASH_POINT_OWNERS))];

/**
 * broker_down is no one service's: every service with a broker connection drops it, through its
 * /internal/lab/broker (shared/src/http.ts); it is on while any of them holds it.
 */
const BROKER_SERVICES: ServiceName[] = [
  'order-service',
  'payment-service',
  'email-service',
  'product-service',
  'cart-service',
];

/**
 * hop_delay_ms and redelivery_rate are no one service's either: every service with a broker adapter holds them
 * (/internal/lab/delivery) and acts on its own calls and deliveries. The gateway answers the largest any of them holds.
 */
const DELIVERY_SERVICES = BROKER_SERVICES;
const DELIVERY_FAULTS = ['hop_delay_ms', 'redelivery_rate'] as const;
type DeliveryFaults = Pick<Faults, (typeof DELIVERY_FAULTS)[number]>;

/** The delivery faults of `changes`, or null when it names none. */
function deliveryOf(changes: Partial<Faults>): Partial<DeliveryFaults> | null {
  const named = Object.entries(changes).filter(([name]) => (DELIVERY_FAULTS as readonly string[]).includes(name));
  return named.length ? Object.fromEntries(named) : null;
}

const OWNED_FAULTS = [...(Object.keys(FAULT_OWNERS) as FaultName[]), 'crash', 'broker_down'] as const;
const FAULT_SERVICES = [...new Set([...Object.values(FAULT_OWNERS), ...CRASH_SERVICES])];

/** The faults of `changes` that this service holds: those it owns, and crash as its own point or "none". */
function faultsOf(service: ServiceName, changes: Partial<Faults>): Partial<Faults> {
  const own: Partial<Faults> = Object.fromEntries(
    Object.entries(changes).filter(([name]) => FAULT_OWNERS[name as FaultName] === service),
  );
  if (changes.crash !== undefined && CRASH_SERVICES.includes(service)) {
    own.crash = CRASH_POINT_OWNERS[changes.crash] === service ? changes.crash : 'none';
  }
  return own;
}

/** Several services' answers as one: a fault that is on (not at its default) in any of them is on. */
function mergeFaults(answers: Partial<Faults>[]): Partial<Faults> {
  const merged: Record<string, unknown> = {};
  const defaults: Record<string, unknown> = defaultFaults(OWNED_FAULTS);
  for (const answer of answers) {
    for (const [name, value] of Object.entries(answer)) {
      if (!(name in merged) || merged[name] === defaults[name]) merged[name] = value;
    }
  }
  return merged as Partial<Faults>;
}

/** Every service behind the gateway has a DLQ once it consumes; one that never did has none, and lists nothing. */
const DEAD_LETTER_SERVICES: ServiceName[] = [
  'order-service',
  'payment-service',
  'email-service',
  'product-service',
  'cart-service',
  'user-service',
];

/** One letter as GET /api/lab/dead-letters shows it: the contract's DeadLetter (docs/conventions.md, "Dead letters"). */
export type DeadLetterView = ContractDeadLetter;

function deadLetterView(service: ServiceName, letter: DeadLetter): DeadLetterView {
  const event = letter.event as { type?: unknown } | null;
  return {
    id: `${service}:${letter.id}`,
    service,
    queue: letter.queue,
    routing_key: letter.type ?? (typeof event?.type === 'string' ? event.type : null),
    reason: letter.error,
    attempts: letter.attempts,
    dead_lettered_at: letter.dead_lettered_at,
    event: letter.event ?? letter.body,
  };
}

/** `payment-service:<id>` into its service and the letter's own id; the route has checked the service part. */
function splitId(id: string): [ServiceName, string] {
  const at = id.indexOf(':');
  return [id.slice(0, at) as ServiceName, id.slice(at + 1)];
}

/**
 * The lab endpoints of the microservices: the gateway asks each service's /internal/lab/* and gives back one answer
 * in the same shape as the monolith's, so the dashboard and the benchmarks need not know which stack they talk to.
 */
export function labUseCases(services: ServiceClient, deadLetters: DeadLettersRepository) {
  async function readConfig(requestId: string): Promise<Knobs> {
    const [payment, email] = await Promise.all([
      services.call<Partial<Knobs>>('payment-service', 'GET', '/internal/lab/config', { requestId }),
      services.call<Partial<Knobs>>('email-service', 'GET', '/internal/lab/config', { requestId }),
    ]);
    return {
      payment_delay_ms: Number(payment.payment_delay_ms),
      email_delay_ms: Number(email.email_delay_ms),
      payment_failure_rate: Number(payment.payment_failure_rate),
    };
  }

  /** Each owner's faults as it reports them: what is really in force, not what was last asked for. */
  async function readFaults(requestId: string): Promise<FaultsAnswer> {
    const [answers, delivery] = await Promise.all([
      Promise.all([
        ...FAULT_SERVICES.map(async (service) =>
          faultsOf(
            service,
            await services.call<Partial<Faults>>(service, 'GET', '/internal/lab/faults', { requestId }),
          ),
        ),
        ...BROKER_SERVICES.map((service) =>
          services.call<Partial<Faults>>(service, 'GET', '/internal/lab/broker', { requestId }),
        ),
      ]),
      Promise.all(
        DELIVERY_SERVICES.map((service) =>
          services.call<DeliveryFaults>(service, 'GET', '/internal/lab/delivery', { requestId }),
        ),
      ),
    ]);
    const largest = (name: keyof DeliveryFaults) => Math.max(...delivery.map((held) => held[name]));
    const held = { hop_delay_ms: largest('hop_delay_ms'), redelivery_rate: largest('redelivery_rate') };
    return faultsAnswer('microservices', { ...mergeFaults(answers), ...held });
  }

  /** Each fault goes to the service that owns it (the route has checked them against the catalog), then all are read back. */
  async function updateFaults(changes: Partial<Faults>, requestId: string): Promise<FaultsAnswer> {
    const delivery = deliveryOf(changes);
    await Promise.all([
      ...FAULT_SERVICES.map((service) => {
        const body = faultsOf(service, changes);
        return Object.keys(body).length
          ? services.call(service, 'PUT', '/internal/lab/faults', { body, requestId })
          : null;
      }),
      ...(changes.broker_down === undefined
        ? []
        : BROKER_SERVICES.map((service) =>
            services.call(service, 'PUT', '/internal/lab/broker', {
              body: { broker_down: changes.broker_down },
              requestId,
            }),
          )),
      ...(delivery
        ? DELIVERY_SERVICES.map((service) =>
            services.call(service, 'PUT', '/internal/lab/delivery', { body: delivery, requestId }),
          )
        : []),
    ]);
    return readFaults(requestId);
  }

  return {
    readConfig,
    readFaults,
    updateFaults,
    resetFaults: (requestId: string) => updateFaults(defaultFaults([...OWNED_FAULTS, ...DELIVERY_FAULTS]), requestId),

    /** Every service's dead letters, oldest first. */
    async listDeadLetters(): Promise<DeadLetterView[]> {
      const perService = await deadLetters.list(DEAD_LETTER_SERVICES);
      return perService
        .flatMap(({ service, letters }) => letters.map((letter) => deadLetterView(service, letter)))
        .sort((a, b) => (a.dead_lettered_at ?? '').localeCompare(b.dead_lettered_at ?? ''));
    },

    // LESSON: Dead letters and redrive (LESSONS.md#dead-letters-and-redrive)
    /**
     * Sends letters back to the queue each
     * came from, each exactly once: only the given ids, or every letter waiting now. A letter that fails again at once
     * comes back to its DLQ and waits for the next redrive instead of going round for ever.
     */
    async redriveDeadLetters(ids?: readonly string[]): Promise<{ redriven: number }> {
      const wanted = new Map<ServiceName, string[]>();
      if (ids) {
        for (const id of ids) {
          const [service, letterId] = splitId(id);
          wanted.set(service, [...(wanted.get(service) ?? []), letterId]);
        }
      }
      let redriven = 0;
      for (const service of ids ? [...wanted.keys()] : DEAD_LETTER_SERVICES) {
        redriven += await deadLetters.redrive(service, ids ? wanted.get(service) : undefined);
      }
      return { redriven };
    },

    /** Each knob goes to the one service that uses it, then the merged config is read back. */
    async updateConfig(changes: Partial<Knobs>, requestId: string): Promise<Knobs> {
      const payment: Partial<Knobs> = {};
      if (changes.payment_delay_ms !== undefined) payment.payment_delay_ms = changes.payment_delay_ms;
      if (changes.payment_failure_rate !== undefined) payment.payment_failure_rate = changes.payment_failure_rate;
      await Promise.all([
        Object.keys(payment).length
          ? services.call('payment-service', 'PUT', '/internal/lab/config', { body: payment, requestId })
          : null,
        changes.email_delay_ms !== undefined
          ? services.call('email-service', 'PUT', '/internal/lab/config', {
              body: { email_delay_ms: changes.email_delay_ms },
              requestId,
            })
          : null,
      ]);
      return readConfig(requestId);
    },

    async reset(requestId: string) {
      const results = await Promise.all(
        RESET_ORDER.map(async (service) => {
          await services.call(service, 'POST', '/internal/lab/reset', { requestId });
          return [service, 'reset'] as const;
        }),
      );
      return { status: 'ok', stack: 'microservices', services: Object.fromEntries(results) };
    },

    orders: (query: string, requestId: string) =>
      services.call<unknown[]>('order-service', 'GET', `/internal/lab/orders${query}`, { requestId }),

    /** Joins the four services' records by order id into the conventions' audit shape. */
    async audit(query: string, requestId: string) {
      const [orders, payments, emails, products] = await Promise.all([
        services.call<{ orders: AuditOrder[] }>('order-service', 'GET', `/internal/lab/audit${query}`, { requestId }),
        services.call<{ payments: { order_id: number; status: string; count: number }[]; provider_charges: Charge[] }>(
          'payment-service',
          'GET',
          `/internal/lab/audit${query}`,
          { requestId },
        ),
        services.call<{ emails: { order_id: number; count: number }[] }>(
          'email-service',
          'GET',
          `/internal/lab/audit${query}`,
          { requestId },
        ),
        services.call<{ products: { id: number; name: string; stock: number }[] }>(
          'product-service',
          'GET',
          '/internal/lab/audit',
          { requestId },
        ),
      ]);
      const charged = new Map<number, number>();
      for (const row of payments.payments) {
        if (CHARGED.has(row.status)) charged.set(row.order_id, (charged.get(row.order_id) ?? 0) + Number(row.count));
      }
      const sent = new Map<number, number>();
      for (const row of emails.emails) sent.set(row.order_id, (sent.get(row.order_id) ?? 0) + Number(row.count));
      // The provider's ledger beside the shop's record. Order ids grow with time, so with ?since a charge naming an
      // order older than the window's first belongs to an order before the window: it is not judged here.
      const firstInWindow = query && orders.orders.length > 0 ? Math.min(...orders.orders.map((o) => o.id)) : 0;
      const judged = payments.provider_charges.filter((charge) => Number(charge.order_ref) >= firstInWindow);
      const ledger = providerView(
        judged,
        orders.orders.map((order) => order.id),
      );
      return {
        orders: orders.orders.map((order) => ({
          id: order.id,
          status: order.status,
          failure_reason: order.failure_reason,
          payments: charged.get(order.id) ?? 0,
          emails: sent.get(order.id) ?? 0,
          provider_charges: ledger.perOrder.get(order.id) ?? 0,
        })),
        products: products.products,
        orphan_charges: ledger.orphans,
      };
    },
  };
}

export type LabUseCases = ReturnType<typeof labUseCases>;
