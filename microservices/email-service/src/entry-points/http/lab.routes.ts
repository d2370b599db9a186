import { type Logger, Mailbox, parseConfirmationSubject } from '@checkout-lab/kit';
import { internalLabRoutes, type Pool } from '@checkout-lab/shared';
import type { Router } from 'express';
import { notificationRepository } from '../../data-access/notification.repository';
import { type EmailFaults, type EmailKnobs, knobsUpdateSchema } from '../../domain/knobs';

/** Deletes the microservices' confirmation mail from the shared catcher (the monolith's stays); no catcher is fine. */
async function deleteOwnMail(mailUiUrl: string, log: Logger): Promise<number> {
  try {
    const mails = await new Mailbox(mailUiUrl).list();
    const own = mails.filter((mail) => parseConfirmationSubject(mail.subject)?.stack === 'microservices');
    for (const mail of own) {
      await fetch(`${mailUiUrl}/api/email/${encodeURIComponent(mail.id)}`, { method: 'DELETE' });
    }
    return own.length;
  } catch (error) {
    log.warn({ err: (error as Error).message }, 'mail catcher not reachable; its mail was left alone');
    return 0;
  }
}

/** Internal lab endpoints, called by the gateway's /api/lab/*: the knob, the faults, the audit, the reset (mail included). */
export function labRoutes(deps: {
  pool: Pool;
  knobs: EmailKnobs;
  faults: EmailFaults;
  mailUiUrl: string;
  log: Logger;
}): Router {
  return internalLabRoutes({
    service: 'email-service',
    knobs: { values: deps.knobs, update: knobsUpdateSchema },
    faults: deps.faults,
    audit: async (since) => ({ emails: await notificationRepository.audit(deps.pool, since) }),
    reset: async () => {
      await notificationRepository.reset(deps.pool);
      return { deleted_mail: await deleteOwnMail(deps.mailUiUrl, deps.log) };
    },
  });
}
