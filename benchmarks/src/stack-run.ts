import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { BLACK_FRIDAY_PRODUCT_NAME, type Knobs, Mailbox } from '@checkout-lab/kit';
import { type CheckoutAttempt, checkHistory, confirmedOrderIds, type HistoryCheck } from '@checkout-lab/stacks/verdict';
import {
  ApiClient,
  type ApiResponse,
  type Audit,
  FINAL_STATUSES,
  type LabOrder,
  mapLimit,
  newHttpCounts,
  type OrderBody,
  type ProductBody,
  sleep,
  StackApi,
  throwIfAborted,
} from './client';
import type { CpuProbe } from './cpu';
import type { ProcessControl } from './lab';
import type { BenchOptions, StackName, TargetName } from './options';
import type { GoalResult, HttpCounts, OrderSample, TargetMetrics, TargetResult } from './report';
import { summarize } from './stats';

export interface Progress {
  phase: string;
  target: TargetName | 'baseline';
  done: number;
  total: number;
  message?: string;
}

export interface Hooks {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** The lab's supervised processes (chaos: --kill); absent when the caller has none to give. */
  processes?: ProcessControl | null;
}

/** Everything a scenario needs to drive one stack. */
export class StackRun {
  readonly api: StackApi;
  readonly client: ApiClient;
  readonly url: string;
  adminToken = '';
  knobs: Knobs;
  /** When this stack was reset: the audit and lab orders are read from here on. */
  since = new Date().toISOString();
  /** Answers during preparation (reset, registration, carts): only their 5xx matter. */
  prepCounts = newHttpCounts();
  readonly runId = crypto.randomBytes(4).toString('hex');
  readonly notes: string[] = [];
  /** CPU accounting of the processes, when the scenario measures it (the engine sets it up). */
  cpu?: CpuProbe;
  /**
   * The monolith's async_email is on (the engine sets it from GET /api/lab/fixes): a confirmation is sent by a job
   * after its order is final, so the check waits for every confirmed order's email before it reads the audit.
   */
  emailsAfterFinal = false;
  private products: ProductBody[] = [];

  constructor(
    readonly stack: StackName,
    readonly options: BenchOptions,
    readonly hooks: Hooks,
    /** What this run measures (monolith-fixed runs on the monolith); the stack's name by default. */
    readonly target: TargetName = stack,
  ) {
    this.url = stack === 'monolith' ? options.monolithUrl : options.gatewayUrl;
    this.client = new ApiClient(this.url, hooks.signal);
    this.api = new StackApi(this.client);
    this.knobs = {
      payment_delay_ms: options.paymentDelayMs,
      email_delay_ms: options.emailDelayMs,
      payment_failure_rate: options.failureRate,
    };
  }

  get signal(): AbortSignal | undefined {
    return this.hooks.signal;
  }

  progress(phase: string, done: number, total: number, message?: string): void {
    this.hooks.onProgress?.({ phase, target: this.target, done, total, message });
  }

  /** When the measured phase began (ISO); orders created after it belong to the run. */
  measureSince: string | null = null;

  /** Moves the client's answers so far into the preparation counts, so the measured phase starts from zero. */
  startMeasuring(): void {
    this.measureSince = new Date().toISOString();
    const prep = this.client.counts;
    this.client.counts = newHttpCounts();
    for (const [status, n] of Object.entries(prep.by_status)) {
      this.prepCounts.by_status[status] = (this.prepCounts.by_status[status] ?? 0) + n;
    }
    this.prepCounts.total += prep.total;
    this.prepCounts.network_errors += prep.network_errors;
    this.prepCounts.status_5xx += prep.status_5xx;
  }

  /** Runs fn with the client's answers counted as preparation, not as the measured phase. */
  async asPreparation<T>(fn: () => Promise<T>): Promise<T> {
    const measured = this.client.counts;
    this.client.counts = this.prepCounts;
    try {
      return await fn();
    } finally {
      this.client.counts = measured;
    }
  }

  /** Reset the stack, set the knobs, remember the catalogue. */
  async resetAndConfigure(): Promise<void> {
    this.progress('reset', 0, 1, 'reset and set the knobs');
    this.adminToken = await this.api.login(this.options.admin.email, this.options.admin.password);
    this.since = new Date(Date.now() - 1000).toISOString();
    await this.api.reset(this.adminToken);
    const applied = await this.api.setKnobs(this.adminToken, this.knobs);
    this.knobs = {
      payment_delay_ms: applied.payment_delay_ms ?? this.knobs.payment_delay_ms,
      email_delay_ms: applied.email_delay_ms ?? this.knobs.email_delay_ms,
      payment_failure_rate: applied.payment_failure_rate ?? this.knobs.payment_failure_rate,
    };
    this.products = await this.api.products();
    this.progress('reset', 1, 1);
  }

  hotProduct(): ProductBody {
    const found = this.products.find((p) => p.name === BLACK_FRIDAY_PRODUCT_NAME);
    if (!found) throw new Error(`no product named "${BLACK_FRIDAY_PRODUCT_NAME}" after the reset`);
    return found;
  }

  /** Products other than the Black Friday one, for browsing and ordinary checkouts. */
  ordinaryProducts(): ProductBody[] {
    return this.products.filter((p) => p.name !== BLACK_FRIDAY_PRODUCT_NAME);
  }

  /** New buyers, each registered, logged in and, when productId is given, with that product in the cart. */
  async prepareBuyers(count: number, label: string, productId?: number, quiet = false): Promise<string[]> {
    let done = 0;
    if (!quiet) this.progress('prepare', 0, count, `registering ${count} buyers`);
    return mapLimit(Array.from({ length: count }), 4, async (_, i) => {
      throwIfAborted(this.signal);
      const email = `bench-${this.runId}-${label}-${i}@bench.checkout.lab`;
      const token = await this.api.registerAndLogin(email, 'bench-password-1', `Bench buyer ${i}`);
      if (productId !== undefined) await this.api.addToCart(token, productId, 1);
      done += 1;
      if (!quiet) this.progress('prepare', done, count);
      return token;
    });
  }

  /** Browses a little and places one checkout (polled to final), so the first measured request is not a cold one. */
  async warmUp(): Promise<void> {
    this.progress('warmup', 0, 1, 'warming up');
    const ordinary = this.ordinaryProducts();
    for (let i = 0; i < 20; i++) {
      await this.api.client.expect('browse', 'GET', '/api/products?limit=20', [200]);
      await this.api.client.expect('browse', 'GET', `/api/products/${ordinary[i % ordinary.length].id}`, [200]);
    }
    const target = ordinary.find((p) => p.stock > 0);
    if (target) {
      const [token] = await this.prepareBuyers(1, 'warmup', target.id);
      const response = await this.api.checkout(token);
      if (response.status >= 200 && response.status < 300) {
        await this.waitFinal([response.body.id], 30_000);
      }
    }
    this.progress('warmup', 1, 1);
  }

  /** Stock of every product, now. */
  async stockSnapshot(): Promise<Record<number, number>> {
    const audit = await this.api.audit(this.adminToken, this.since);
    return Object.fromEntries(audit.products.map((p) => [p.id, p.stock]));
  }

  /**
   * Polls GET /api/lab/orders until every id is final or the deadline passes; returns the last rows read.
   * One admin poll for all orders, so that polling does not load the stack it measures.
   */
  async waitFinal(ids: number[], timeoutMs: number): Promise<Map<number, LabOrder>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = new Map((await this.api.labOrders(this.adminToken, this.since)).map((o) => [o.id, o]));
      const open = ids.filter((id) => !FINAL_STATUSES.has(rows.get(id)?.status ?? ''));
      this.progress('settle', ids.length - open.length, ids.length, `${open.length} orders not final yet`);
      if (open.length === 0 || Date.now() > deadline) return rows;
      await sleep(100, this.signal);
    }
  }

  /** Polls the audit until every confirmed order has its email recorded as sent, or the deadline passes. */
  async waitEmails(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const audit = await this.api.audit(this.adminToken, this.since);
      const unsent = audit.orders.filter((o) => o.status === 'confirmed' && o.emails === 0).length;
      this.progress('settle', 0, 1, `${unsent} confirmations not sent yet`);
      if (unsent === 0 || Date.now() > deadline) return;
      await sleep(100, this.signal);
    }
  }

  /** How long to wait for every accepted order to be final before the run counts them as lost. */
  settleTimeoutMs(orders: number): number {
    const perOrder = this.knobs.payment_delay_ms + this.knobs.email_delay_ms;
    return Math.max(30_000, 2 * orders * perOrder + 15_000);
  }

  /** The end of every scenario: check the history against the server's truth, and put the target's result together. */
  async finish(parts: {
    /** Every checkout of the measured phase, as its buyer saw it. */
    records: CheckoutRecord[];
    initialStock: Record<number, number>;
    counts: HttpCounts;
    metrics: TargetMetrics;
    goals: GoalResult[];
    samples: OrderSample[];
    /** A load generator ran: requests may still have been in flight at the server when it stopped. */
    afterLoad?: boolean;
    /** Faults were on (chaos): a 5xx is what a fault makes a stack answer, so no_5xx is not an invariant of the run. */
    faulty?: boolean;
  }): Promise<TargetResult> {
    const { check } = await this.verify(parts.records, parts.initialStock, parts.counts, parts.afterLoad, parts.faulty);
    return {
      target: this.target,
      stack: this.stack,
      url: this.url,
      knobs: this.knobs,
      metrics: parts.metrics,
      goals: parts.goals,
      verdict: check.verdict,
      verdict_ids: check.ids,
      invariants: check.invariants,
      http: parts.counts,
      orders: parts.samples,
      notes: this.notes,
    };
  }

  /** Reads the server-side truth and gives the checker (@checkout-lab/stacks) the buyers' history beside it. */
  async verify(
    records: CheckoutRecord[],
    initialStock: Record<number, number>,
    measuredCounts: HttpCounts,
    afterLoad = false,
    faulty = false,
  ): Promise<{ audit: Audit; check: HistoryCheck }> {
    const attempts = records.map(attemptOf);
    this.progress('verify', 0, 1, 'reading the audit');
    // Orders the run placed but whose answer nobody read: a load generator stops with requests in flight, and on the
    // monolith more of them may still be queued on the row lock. They belong to the run (they took stock), so they
    // are checked like the others, with their items read from the server. After a load generator, they are collected
    // until a whole checkout's length (both delays and a second) passes with no new one.
    const known = new Set(attempts.flatMap((a) => (a.orderId == null ? [] : [a.orderId])));
    const late: number[] = [];
    if (this.measureSince) {
      const quietMs = this.knobs.payment_delay_ms + this.knobs.email_delay_ms + 1000;
      for (let quietChecked = !afterLoad; ; ) {
        const fresh = (await this.api.labOrders(this.adminToken, this.measureSince)).filter((o) => !known.has(o.id));
        if (fresh.length === 0) {
          if (quietChecked) break;
          quietChecked = true;
          await sleep(quietMs, this.signal);
          continue;
        }
        quietChecked = !afterLoad;
        const ids = fresh.map((o) => o.id);
        for (const id of ids) known.add(id);
        late.push(...ids);
        await this.waitFinal(ids, this.settleTimeoutMs(ids.length));
      }
    }
    // No buyer read their answer: to the checker they are timeouts whose order exists (recovered), checked like the rest.
    for (const id of late) {
      const order = await this.api.order(this.adminToken, id);
      attempts.push({ buyer: 'unanswered', outcome: 'timeout', orderId: id, items: itemsOf(order) });
    }
    if (late.length) {
      this.notes.push(
        `${late.length} orders were placed by requests whose answer no buyer read (still in flight when the load stopped, or answered with an error); they are checked too, as recovered`,
      );
    }
    if (this.emailsAfterFinal) await this.waitEmails(this.settleTimeoutMs(known.size));
    const audit = await this.api.audit(this.adminToken, this.since);
    let mails: number[] | null = null;
    if (this.options.mailUiUrl) {
      try {
        const caught = await new Mailbox(this.options.mailUiUrl).list();
        mails = confirmedOrderIds(
          caught.map((m) => m.subject),
          this.stack === 'monolith' ? 'monolith' : 'microservices',
        );
      } catch (error) {
        this.notes.push(`mail catcher at ${this.options.mailUiUrl} not read (${(error as Error).message})`);
      }
    }
    // Only the products the run's orders hold: another client may change the others meanwhile.
    const touched = new Set(attempts.flatMap((a) => (a.items ?? []).map((i) => i.product_id)));
    const check = checkHistory({
      attempts,
      audit,
      mails,
      initialStock: Object.fromEntries(Object.entries(initialStock).filter(([id]) => touched.has(Number(id)))),
      status5xx: faulty ? undefined : measuredCounts.status_5xx + this.prepCounts.status_5xx,
    });
    this.progress('verify', 1, 1);
    return { audit, check };
  }

  close(): void {
    this.client.close();
  }
}

/** What the client saw of one checkout. */
export interface CheckoutRecord {
  buyer: number;
  repetition: number;
  startedAtMs: number;
  response: ApiResponse<OrderBody & { error?: { code: string } }>;
}

export function isAccepted(status: number): boolean {
  return status === 201 || status === 202;
}

/** Joins the client's records with the server's rows into the report's order samples. */
export function toSamples(records: CheckoutRecord[], rows: Map<number, LabOrder>): OrderSample[] {
  return records.map((r) => {
    const accepted = isAccepted(r.response.status);
    const id = accepted ? r.response.body.id : null;
    const row = id !== null ? rows.get(id) : undefined;
    return {
      id,
      repetition: r.repetition,
      buyer: r.buyer,
      http_status: r.response.status,
      error_code: accepted ? null : (r.response.body?.error?.code ?? null),
      started_at_ms: round1(r.startedAtMs),
      client_latency_ms: round1(r.response.latencyMs),
      accepted,
      final_status: row?.status ?? (accepted ? r.response.body.status : null),
      failure_reason: row?.failure_reason ?? null,
      processing_duration_ms: row?.processing_duration_ms ?? (accepted ? r.response.body.processing_duration_ms : null),
      completion_duration_ms: row?.completion_duration_ms ?? null,
    };
  });
}

/** An order the client saw accepted (201 or 202), with what it bought. */
export interface AcceptedOrder {
  id: number;
  items: { product_id: number; quantity: number }[];
}

export function acceptedOrders(records: CheckoutRecord[]): AcceptedOrder[] {
  return records
    .filter((r) => isAccepted(r.response.status))
    .map((r) => ({ id: r.response.body.id, items: itemsOf(r.response.body) }));
}

function itemsOf(order: Pick<OrderBody, 'items'> | null | undefined): AcceptedOrder['items'] {
  return (order?.items ?? []).map((i) => ({ product_id: i.product_id, quantity: i.quantity }));
}

/** A checkout as the checker reads it: accepted (with its id and items), refused (4xx) or an error (5xx). */
function attemptOf(record: CheckoutRecord): CheckoutAttempt {
  const { status, body } = record.response;
  const buyer = `${record.repetition}:${record.buyer}`;
  if (isAccepted(status) && body?.id !== undefined) {
    return { buyer, outcome: 'accepted', status, orderId: body.id, items: itemsOf(body) };
  }
  return { buyer, outcome: status >= 500 || status === 0 ? 'error' : 'refused', status };
}

function round1(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** The figures every scenario reports about its orders. */
export function orderMetrics(samples: OrderSample[]): TargetResult['metrics'] {
  const accepted = samples.filter((s) => s.accepted);
  const values = (pick: (s: OrderSample) => number | null, from = samples) =>
    from.map(pick).filter((v): v is number => v !== null && v !== undefined);
  return {
    checkouts: samples.length,
    accepted: accepted.length,
    confirmed: samples.filter((s) => s.final_status === 'confirmed').length,
    cancelled: samples.filter((s) => s.final_status === 'cancelled').length,
    refused: samples.length - accepted.length,
    not_final: accepted.filter((s) => !FINAL_STATUSES.has(s.final_status ?? '')).length,
    client_latency_ms: summarize(values((s) => s.client_latency_ms)),
    processing_duration_ms: summarize(values((s) => s.processing_duration_ms, accepted)),
    completion_duration_ms: summarize(values((s) => s.completion_duration_ms, accepted)),
  };
}

export const now = () => performance.now();
