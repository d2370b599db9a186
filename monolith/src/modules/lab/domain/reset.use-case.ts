import { type Logger, Mailbox, parseConfirmationSubject, resetCharges } from '@checkout-lab/kit';
import type { MonolithDeps } from '../../../shared/deps';
import { seedCatalog } from '../../../db/seed';

export interface ResetResult {
  status: 'ok';
  /** Confirmation emails of this stack deleted from the catcher; null when the catcher could not be reached. */
  emails_deleted: number | null;
  /** This shop's charges forgotten by the card provider; null when it could not be reached. */
  charges_deleted: number | null;
}

/**
 * Back to a clean shop: no orders, payments, carts, notifications or reviews, and the seed catalogue with its exact
 * stock. Users stay, so tokens keep working.
 */
export async function resetLab(deps: MonolithDeps): Promise<ResetResult> {
  const { db, log } = deps;
  await db.transaction(async (manager) => {
    // Raw SQL on purpose: one TRUNCATE empties seven tables and restarts their ids; the ORM's clear() does one table.
    await manager.query(
      'TRUNCATE notifications, payments, order_items, orders, reviews, cart_items, carts RESTART IDENTITY',
    );
    await seedCatalog(manager, 'restore');
  });
  // Jobs of the fixes still waiting name orders that are gone, and ids that start again.
  await deps.jobs.clear();
  // The order ids start again at 1: the provider forgets this shop's charges, or they would answer for new orders.
  const chargesDeleted = await resetCharges(deps.paymentProvider).catch((error: unknown) => {
    log.warn({ err: error }, 'the card provider is not reachable: its ledger was left as it is');
    return null;
  });
  return {
    status: 'ok',
    emails_deleted: await deleteMonolithMail(log, deps.mailUiUrl),
    charges_deleted: chargesDeleted,
  };
}

/** Deletes only the monolith's confirmations: the catcher is shared with the microservices stack. */
async function deleteMonolithMail(log: Logger, mailUiUrl: string | undefined): Promise<number | null> {
  if (!mailUiUrl) return null;
  try {
    const mails = await new Mailbox(mailUiUrl).list();
    const ours = mails.filter((mail) => parseConfirmationSubject(mail.subject ?? '')?.stack === 'monolith');
    for (const mail of ours) {
      await fetch(`${mailUiUrl}/api/email/${encodeURIComponent(mail.id)}`, {
        method: 'DELETE',
        signal: AbortSignal.timeout(5000),
      });
    }
    return ours.length;
  } catch (error) {
    log.warn({ err: error, mailUiUrl }, 'the mail catcher is not reachable: its mail was left as it is');
    return null;
  }
}
