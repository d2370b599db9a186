import { z } from 'zod';
import { errors } from './http';

/**
 * Failed logins allowed in one window before login is refused with 429: per account (the email as login reads it)
 * and per client address. Both stacks read them from LOGIN_FAILURE_LIMIT, LOGIN_ADDRESS_FAILURE_LIMIT and
 * LOGIN_FAILURE_WINDOW_S.
 */
export interface LoginLimits {
  perAccount: number;
  perAddress: number;
  windowS: number;
}

/**
 * Ten tries guard one password against guessing and leave a buyer who mistypes plenty of room; an address gets more,
 * as several people may share it (an office, a NAT). Only failures count, so the benchmarks and the tests, which log
 * in hundreds of buyers from one address, never meet the limit.
 */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 10, perAddress: 100, windowS: 900 };

/** The environment keys of the limits, for each stack's one config schema. */
export const loginLimitsEnv = {
  /** Failed logins per account (email) per window; then 429 RATE_LIMITED until the window ends. */
  LOGIN_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_LOGIN_LIMITS.perAccount),
  /** Failed logins per client address per window, whatever the emails. */
  LOGIN_ADDRESS_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_LOGIN_LIMITS.perAddress),
  /** The window, in seconds, from an account's or an address's first failure. */
  LOGIN_FAILURE_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(DEFAULT_LOGIN_LIMITS.windowS),
};

export function loginLimitsFrom(config: {
  LOGIN_FAILURE_LIMIT: number;
  LOGIN_ADDRESS_FAILURE_LIMIT: number;
  LOGIN_FAILURE_WINDOW_S: number;
}): LoginLimits {
  return {
    perAccount: config.LOGIN_FAILURE_LIMIT,
    perAddress: config.LOGIN_ADDRESS_FAILURE_LIMIT,
    windowS: config.LOGIN_FAILURE_WINDOW_S,
  };
}

/** What begin() hands back: the attempt counts as a failure unless it is declared a success. */
export interface LoginAttempt {
  succeeded(): void;
}

interface Window {
  failures: number;
  endsAt: number;
}

/**
 * Counts failed logins in memory, in fixed windows that start at the first failure. The one implementation of both
 * stacks: the monolith's login and user-service's call it the same way. Kept in the process on purpose (simple,
 * nothing to run): each process counts on its own, so with replicas the limits apply per instance, and a restart
 * forgets them. A shared store (Redis, a table) is what a real deployment of many instances would use.
 */
export class LoginLimiter {
  private readonly windows = new Map<string, Window>();
  private sweepAt = 10_000;

  constructor(
    readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Call before checking the password. Throws 429 RATE_LIMITED (Retry-After: seconds until the window ends) when the
   * account or the address has used up its failures; a locked account is refused even with the right password.
   * Otherwise the attempt counts as a failure at once, so that many guesses in flight together cannot pass the limit
   * while bcrypt runs; succeeded() takes it back.
   */
  begin(email: string, address: string | undefined): LoginAttempt {
    const keys: [string, number][] = [[`account:${email}`, this.limits.perAccount]];
    if (address) keys.push([`address:${address.replace(/^::ffff:/, '')}`, this.limits.perAddress]);
    const now = this.now();
    let waitMs = 0;
    for (const [key, limit] of keys) {
      const window = this.current(key, now);
      if (window && window.failures >= limit) waitMs = Math.max(waitMs, window.endsAt - now);
    }
    if (waitMs > 0) {
      const waitS = Math.ceil(waitMs / 1000);
      throw errors.rateLimited(waitS, `Too many failed logins: try again in ${waitS} s`);
    }
    for (const [key] of keys) this.count(key, now);
    return {
      succeeded: () => {
        // The buyer got in: the account starts afresh, and the address gets back the try it was charged.
        this.windows.delete(keys[0][0]);
        const address = keys[1] && this.windows.get(keys[1][0]);
        if (address) address.failures = Math.max(0, address.failures - 1);
      },
    };
  }

  private current(key: string, now: number): Window | undefined {
    const window = this.windows.get(key);
    if (window && window.endsAt <= now) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  private count(key: string, now: number): void {
    const window = this.current(key, now);
    if (window) {
      window.failures += 1;
      return;
    }
    this.windows.set(key, { failures: 1, endsAt: now + this.limits.windowS * 1000 });
    // Ended windows of keys never seen again are dropped now and then, so memory follows the recent failures only.
    if (this.windows.size >= this.sweepAt) {
      for (const [other, { endsAt }] of this.windows) if (endsAt <= now) this.windows.delete(other);
      this.sweepAt = Math.max(10_000, this.windows.size * 2);
    }
  }
}
