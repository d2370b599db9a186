import { type Logger, Mailbox, parseConfirmationSubject, parseInput, route } from '@checkout-lab/kit';
import { type Pool, parseSince } from '@checkout-lab/shared';
import { Router } from 'express';
import { notificationRepository } from '../../data-access/notification.repository';
import { type EmailKnobs, knobsUpdateSchema } from '../../domain/knobs';

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

export function labRoutes(deps: { pool: Pool; knobs: EmailKnobs; mailUiUrl: string; log: Logger }): Router {
  const router = Router();
  router.get('/internal/lab/config', (_req, res) => {
    res.json({ ...deps.knobs });
  });
  router.put(
    '/internal/lab/config',
    route(async (req, res) => {
      Object.assign(deps.knobs, parseInput(knobsUpdateSchema, req.body ?? {}));
      res.json({ ...deps.knobs });
    }),
  );
  router.get(
    '/internal/lab/audit',
    route(async (req, res) => {
      res.json({ emails: await notificationRepository.audit(deps.pool, parseSince(req.query.since)) });
    }),
  );
  router.post(
    '/internal/lab/reset',
    route(async (_req, res) => {
      await notificationRepository.reset(deps.pool);
      const deleted = await deleteOwnMail(deps.mailUiUrl, deps.log);
      res.json({ status: 'ok', service: 'email-service', deleted_mail: deleted });
    }),
  );
  return router;
}
