import { LoginLimiter, loginLimitsFrom } from '@checkout-lab/kit';
import { openService, type RunningService, serve } from '@checkout-lab/shared';
import { createApp } from './app';
import type { UserConfig } from './config';
import { migrations } from './data-access/db';
import { UserChangesListener } from './data-access/user-changes.listener';
import { UserRepository } from './data-access/user.repository';
import { UserUseCases } from './domain/users.use-case';

export type { RunningService };

const SERVICE = 'user-service';

/**
 * Its database (created, migrated), the seeded admin, then HTTP on USER_PORT (0: a free port). It has no broker: it
 * reacts to no event and publishes none. Index.ts runs it as a process; tests start it in theirs.
 */
export async function startUserService(config: UserConfig): Promise<RunningService> {
  const { log, pool } = await openService(SERVICE, config, migrations);
  const users = new UserUseCases(
    new UserRepository(pool),
    { secret: config.JWT_SECRET, expiresInS: config.JWT_EXPIRES_IN_S, bcryptRounds: config.BCRYPT_ROUNDS },
    new LoginLimiter(loginLimitsFrom(config)),
  );
  await users.seedAdmin(config.LAB_ADMIN_EMAIL, config.LAB_ADMIN_PASSWORD);

  const changes = new UserChangesListener(pool.options.connectionString as string, log);
  await changes.start();

  const app = createApp({ log, internalSecret: config.INTERNAL_SECRET, pool, messaging: null, users, changes });
  const running = await serve(app, { service: SERVICE, port: config.USER_PORT, config, log, pool });
  return {
    ...running,
    async stop() {
      // The change streams never end on their own: ending the listener ends them, before HTTP drains.
      await changes.stop();
      await running.stop();
    },
  };
}
