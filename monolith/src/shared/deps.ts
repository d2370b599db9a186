import type { Faults, Knobs, Logger, LoginLimiter, PaymentProvider, SmtpTransport } from '@checkout-lab/kit';
import type { Fixes } from '@checkout-lab/contract';
import type { DataSource } from 'typeorm';
import type { JobQueue } from './job-queue';

/** Everything the routes need, built once by startMonolith and handed to createApp. */
export interface MonolithDeps {
  db: DataSource;
  log: Logger;
  /** The knobs in force; PUT /api/lab/config changes this object, the next checkout reads it. */
  knobs: Knobs;
  /** The faults of the monolith's catalog in force (all off at start); PUT /api/lab/faults changes this object. */
  faults: MonolithFaults;
  jwt: { secret: string; expiresInS: number };
  /** The cost of every password hash (BCRYPT_ROUNDS). */
  bcryptRounds: number;
  /** Counts failed logins per account and per address (LOGIN_FAILURE_LIMIT ...), in this process's memory. */
  loginLimiter: LoginLimiter;
  mailer: SmtpTransport;
  /** The catcher's web URL, where POST /api/lab/reset deletes the monolith's mail; undefined: nothing to delete. */
  mailUiUrl?: string;
  /** The card provider outside the shop, where step 6 charges and the audit reads the ledger. */
  paymentProvider: PaymentProvider;
  /** The fix switches in force (all off at start: the blocking checkout); PUT /api/lab/fixes changes this object. */
  fixes: Fixes;
  /** The job queue of the fixes async_email and accept_then_process (graphile-worker, in the shop's database). */
  jobs: JobQueue;
}

/** The faults that apply to the monolith (contract/src/faults.ts): the microservices have broker and hop faults too. */
export type MonolithFaults = Omit<Faults, 'broker_down' | 'redelivery_rate' | 'hop_delay_ms'>;
