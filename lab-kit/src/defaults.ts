/**
 * The lab's defaults, in one place: the contract's ports (docs/api.md), the knobs, the admin account and the
 * database names. Each process reads its environment through its own validated config and falls back to these.
 */
export const DEFAULT_PORTS = {
  MONOLITH_PORT: 8000,
  GATEWAY_PORT: 9000,
  ORDER_PORT: 8001,
  PAYMENT_PORT: 8002,
  EMAIL_PORT: 8003,
  PRODUCT_PORT: 8004,
  USER_PORT: 8005,
  CART_PORT: 8006,
  PAYMENT_PROVIDER_PORT: 8007,
  DASHBOARD_PORT: 3000,
  SMTP_PORT: 1025,
  MAIL_UI_PORT: 8025,
  EMBEDDED_PG_PORT: 5433,
} as const;

export const DEFAULT_ADMIN = { email: 'admin@checkout.lab', password: 'labadmin123' } as const;

/**
 * Used only by a process started without JWT_SECRET (a test, a service run by hand); refused when NODE_ENV=production.
 * Every copy of the lab publishes it, so `npm start` never signs with it: it makes a secret per lab, kept in
 * LAB_DATA_DIR (lab-stacks/src/lab-processes.ts).
 */
export const DEV_JWT_SECRET = 'checkout-lab-development-secret-change-me';
/**
 * Used only when INTERNAL_SECRET is unset: signs the tokens between the microservices' gateway and services. A secret of
 * its own, apart from JWT_SECRET, so either can be changed alone. Refused when NODE_ENV=production.
 */
export const DEV_INTERNAL_SECRET = 'checkout-lab-internal-development-secret-change-me';

/** The knobs of docs/api.md, in the JSON shape of GET /api/lab/config: the contract's type. */
import type { Knobs } from '@checkout-lab/contract';

export type { Knobs };

export const DEFAULT_KNOBS: Knobs = { payment_delay_ms: 1000, email_delay_ms: 2000, payment_failure_rate: 0 };

/** One database per stack or service, created on the PostgreSQL server at start. */
export const DATABASE_NAMES = {
  monolith: 'checkout_monolith',
  users: 'checkout_users',
  products: 'checkout_products',
  carts: 'checkout_carts',
  orders: 'checkout_orders',
  payments: 'checkout_payments',
  emails: 'checkout_emails',
  lab: 'checkout_lab',
  provider: 'checkout_provider',
} as const;

/** Both stacks send the confirmation with this subject, so the shared mail catcher tells them apart. */
export function confirmationSubject(stack: 'monolith' | 'microservices', orderId: number | string): string {
  return `[${stack}] Order #${orderId} confirmed`;
}

/** Reads back the stack and order id from a confirmation subject; null for any other mail. */
export function parseConfirmationSubject(subject: string): { stack: string; orderId: string } | null {
  const match = /^\[(monolith|microservices)\] Order #(\S+) confirmed$/.exec(subject);
  return match ? { stack: match[1], orderId: match[2] } : null;
}
