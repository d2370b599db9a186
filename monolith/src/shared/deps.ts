import type { Knobs, Logger, SmtpTransport } from '@checkout-lab/kit';
import type { DataSource } from 'typeorm';

/** Everything the routes need, built once by startMonolith and handed to createApp. */
export interface MonolithDeps {
  db: DataSource;
  log: Logger;
  /** The knobs in force; PUT /api/lab/config changes this object, the next checkout reads it. */
  knobs: Knobs;
  jwt: { secret: string; expiresInS: number };
  mailer: SmtpTransport;
  /** The catcher's web URL, where POST /api/lab/reset deletes the monolith's mail; undefined: nothing to delete. */
  mailUiUrl?: string;
  /** Decides payment declines; tests may pass a fixed sequence. */
  random: () => number;
}
