import { LoginLimiter, loginLimitsFrom } from '@checkout-lab/kit';
import { closeServer, listen, openService } from '@checkout-lab/shared';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import type { UserConfig } from './config';
import { migrations } from './data-access/db';
import { UserRepository } from './data-access/user.repository';
import { UserUseCases } from './domain/users.use-case';

export interface RunningService {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Creates and migrates the database, seeds the admin and listens on config.USER_PORT (0: a free port). */
export async function startUserService(config: UserConfig): Promise<RunningService> {
  const { log, pool } = await openService('user-service', config, migrations);
  const users = new UserUseCases(
    new UserRepository(pool),
    {
      secret: config.JWT_SECRET,
      expiresInS: config.JWT_EXPIRES_IN_S,
      bcryptRounds: config.BCRYPT_ROUNDS,
    },
    new LoginLimiter(loginLimitsFrom(config)),
  );
  await users.seedAdmin(config.LAB_ADMIN_EMAIL, config.LAB_ADMIN_PASSWORD);

  const app = createApp({ pool, users, log, internalSecret: config.INTERNAL_SECRET });
  const server = await listen(app, config.USER_PORT, config.BIND_HOST);
  const port = (server.address() as AddressInfo).port;
  log.info({ port, database: config.DB_NAME }, 'user-service listening');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: async () => {
      server.closeAllConnections();
      await closeServer(server);
      await pool.end();
    },
  };
}
