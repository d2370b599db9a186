import { DATABASE_NAMES, DEFAULT_ADMIN, DEFAULT_AMQP_URL, DEFAULT_PORTS } from '@checkout-lab/kit';
import { z } from 'zod';

/**
 * The lab API's configuration, validated once at start. `process.env` is read here and nowhere else.
 * Every key is documented in lab-dashboard/README.md.
 */
const schema = z.object({
  DASHBOARD_PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULT_PORTS.DASHBOARD_PORT),
  DASHBOARD_HOST: z.string().min(1).default('127.0.0.1'),
  MONOLITH_URL: z.string().url().default(`http://127.0.0.1:${DEFAULT_PORTS.MONOLITH_PORT}`),
  GATEWAY_URL: z.string().url().default(`http://127.0.0.1:${DEFAULT_PORTS.GATEWAY_PORT}`),
  MAIL_UI_URL: z.string().url().default(`http://127.0.0.1:${DEFAULT_PORTS.MAIL_UI_PORT}`),
  PAYMENT_PROVIDER_URL: z.string().url().default(`http://127.0.0.1:${DEFAULT_PORTS.PAYMENT_PROVIDER_PORT}`),
  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/postgres'),
  DB_NAME: z.string().default(DATABASE_NAMES.lab),
  AMQP_URL: z.string().default(DEFAULT_AMQP_URL),
  RABBIT_PREFIX: z.string().default(''),
  LAB_NAME_PREFIX: z.string().default(''),
  LAB_ADMIN_EMAIL: z.string().default(DEFAULT_ADMIN.email),
  LAB_ADMIN_PASSWORD: z.string().default(DEFAULT_ADMIN.password),
  NODE_ENV: z.string().default('development'),
  LAB_PROCESS_TABLE: z.string().min(1).optional(),
});

export interface DashboardConfig {
  port: number;
  /** The address it listens on: loopback by default, so only this machine reaches the lab API. */
  host: string;
  monolithUrl: string;
  gatewayUrl: string;
  mailUiUrl: string;
  /** The card provider both stacks charge: its health is shown with theirs. */
  paymentProviderUrl: string;
  /** The PostgreSQL server; the lab keeps its run history in its own database dbName on it. */
  databaseUrl: string;
  dbName: string;
  amqpUrl: string;
  rabbitPrefix: string;
  /** The lab's prefix on every database name (LAB_NAME_PREFIX): where the lessons' checks read the stacks' tables. */
  namePrefix: string;
  admin: { email: string; password: string };
  /** 'production' serves the built dist/; otherwise Vite runs in middleware mode unless dist/ exists. */
  mode: 'production' | 'development';
  /** The launcher's process table (LAB_DATA_DIR/lab.pids.json); null when no launcher started this dashboard. */
  processTable: string | null;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): DashboardConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid dashboard configuration: ${problems}`);
  }
  const c = parsed.data;
  return {
    port: c.DASHBOARD_PORT,
    host: c.DASHBOARD_HOST,
    monolithUrl: c.MONOLITH_URL.replace(/\/$/, ''),
    gatewayUrl: c.GATEWAY_URL.replace(/\/$/, ''),
    mailUiUrl: c.MAIL_UI_URL.replace(/\/$/, ''),
    paymentProviderUrl: c.PAYMENT_PROVIDER_URL.replace(/\/$/, ''),
    databaseUrl: c.DATABASE_URL,
    dbName: c.DB_NAME,
    amqpUrl: c.AMQP_URL,
    rabbitPrefix: c.RABBIT_PREFIX,
    namePrefix: c.LAB_NAME_PREFIX,
    admin: { email: c.LAB_ADMIN_EMAIL, password: c.LAB_ADMIN_PASSWORD },
    mode: c.NODE_ENV === 'production' ? 'production' : 'development',
    processTable: c.LAB_PROCESS_TABLE ?? null,
  };
}
