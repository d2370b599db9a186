import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChargeListQuerySchema,
  ChargeRequestSchema,
  type Charge,
  chargeIdSchema,
  chargeKeySchema,
  MerchantResetSchema,
  RefundRequestSchema,
} from '@checkout-lab/contract';
import { AppError, errors, type Logger, parseInput, route } from '@checkout-lab/kit';
import { type Response, Router } from 'express';
import type pg from 'pg';
import { ledger } from './ledger';

export interface ProviderDeps {
  pool: pg.Pool;
  log: Logger;
  /** Decides declines (0..1); Math.random unless a test gives its own. */
  random: () => number;
  /** The answers the payment_hang fault holds open, so that stop() can cut them. */
  hung: Set<Response>;
}

function idempotencyKey(header: unknown): string {
  if (header === undefined) {
    throw new AppError({
      status: 400,
      code: 'IDEMPOTENCY_KEY_REQUIRED',
      message: 'A charge needs an Idempotency-Key header: the same key twice is the same charge',
    });
  }
  return parseInput(chargeKeySchema, header);
}

/** The same key with another amount or order is a mistake of the shop's, not a retry: refuse it. */
function sameRequest(charge: Charge, request: { order_ref: string; amount: string }): boolean {
  return charge.order_ref === request.order_ref && charge.amount === request.amount;
}

export function chargesRoutes(deps: ProviderDeps): Router {
  const router = Router();
  const { pool, log } = deps;

  // LESSON: A charge outlives a rollback (LESSONS.md#a-charge-outlives-a-rollback). The shop asks; the provider takes
  // the money in its own database. Nothing the shop does afterwards (a ROLLBACK, a crash) takes it back.
  router.post(
    '/v1/charges',
    route(async (req, res) => {
      const key = idempotencyKey(req.get('idempotency-key'));
      const request = parseInput(ChargeRequestSchema, req.body);

      // LESSON: A charge outlives a rollback (LESSONS.md#a-charge-outlives-a-rollback). The key is claimed first, in one INSERT:
      // a retry of the same charge, even one sent while the first is still being decided, never charges twice.
      const charge = await ledger.claim(pool, {
        merchant: request.merchant,
        key,
        orderRef: request.order_ref,
        amount: request.amount,
      });
      if (!charge) {
        const earlier = await ledger.byKey(pool, request.merchant, key);
        if (!earlier) throw new Error(`charge key ${key} vanished`);
        if (!sameRequest(earlier, request)) {
          throw errors.conflict(
            'IDEMPOTENCY_KEY_REUSED',
            `This Idempotency-Key already names a charge of ${earlier.amount} for ${earlier.order_ref}`,
          );
        }
        if (earlier.status === 'processing') {
          throw new AppError({
            status: 409,
            code: 'CHARGE_IN_PROGRESS',
            message: 'A charge with this Idempotency-Key is still being decided: ask again in a moment',
            headers: { 'Retry-After': '1' },
          });
        }
        res.set('Idempotent-Replayed', 'true').status(200).json(earlier);
        return;
      }

      // The processor's own time: the shop waits for this (the knob PAYMENT_DELAY_MS).
      await sleep(request.simulate.delay_ms);
      const approved = deps.random() >= request.simulate.failure_rate;
      const decided = await ledger.decide(pool, charge.id, approved ? 'succeeded' : 'declined');
      log.info({ charge: decided.id, merchant: decided.merchant, order_ref: decided.order_ref }, decided.status);

      if (request.simulate.hang) {
        // The fault payment_hang: the money is taken, and the answer never comes. The shop's timeout fires; a retry
        // with the same key reads the charge.
        log.warn({ charge: decided.id }, 'payment_hang: holding the answer');
        deps.hung.add(res);
        res.once('close', () => deps.hung.delete(res));
        return;
      }
      res.status(201).json(decided);
    }),
  );

  // A refund: the shop's compensation for a charge whose order it gives up (the fixed monolith's, after a failure
  // past step 6). Refunding again answers the refunded charge; a declined charge has nothing to give back.
  router.post(
    '/v1/charges/:id/refund',
    route(async (req, res) => {
      const id = parseInput(chargeIdSchema, req.params.id);
      const { merchant } = parseInput(RefundRequestSchema, req.body);
      const charge = await ledger.refund(pool, merchant, id);
      if (!charge) throw errors.notFound(`Charge ${id}`);
      if (charge.status !== 'refunded') {
        throw errors.conflict(
          'NOT_REFUNDABLE',
          `Charge ${id} is ${charge.status}: only a succeeded charge is refunded`,
        );
      }
      log.info({ charge: id, merchant }, 'refunded');
      res.json(charge);
    }),
  );

  router.get(
    '/v1/charges',
    route(async (req, res) => {
      res.json({ charges: await ledger.list(pool, parseInput(ChargeListQuerySchema, req.query)) });
    }),
  );

  // The lab's reset: a shop's reset starts its order ids again, so its old charges would answer for new orders.
  router.post(
    '/v1/lab/reset',
    route(async (req, res) => {
      const { merchant } = parseInput(MerchantResetSchema, req.body);
      res.json({ deleted: await ledger.resetMerchant(pool, merchant) });
    }),
  );

  return router;
}
