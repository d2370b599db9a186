import { AppError } from '@checkout-lab/kit';
import { type CallFailed, type InternalAuth, type JsonAnswer, jsonClient } from '@checkout-lab/shared';

/** A user as user-service's record has it: what the gateway passes on, not what the token claims. */
export interface DirectoryUser {
  id: number;
  email: string;
  is_admin: boolean;
}

/**
 * user-service's GET /internal/users/:id, asked for every request that carries a verified token: a deleted account is
 * refused at its next request and admin rights are the record's. No cache on purpose: a cached "this user exists"
 * would let a deleted user's token work until it expired.
 * PERF: one kept-alive connection pool and a named statement behind it (user.repository.ts in user-service): about
 * one loopback round trip per request.
 */
export function userDirectory(options: { baseUrl: string; timeoutMs: number; auth: InternalAuth }) {
  const http = jsonClient(options.baseUrl, { timeoutMs: options.timeoutMs, auth: options.auth });
  return {
    /** The user, or null when user-service has none with this id; a user-service down or failing is a 503. */
    async find(userId: number, requestId: string): Promise<DirectoryUser | null> {
      let answer: JsonAnswer<DirectoryUser>;
      try {
        answer = await http.get<DirectoryUser>(`/internal/users/${userId}`, {
          headers: { 'x-request-id': requestId },
        });
      } catch (error) {
        throw unavailable(
          (error as CallFailed).reason === 'timeout'
            ? `did not answer within ${options.timeoutMs} ms`
            : 'is unreachable',
        );
      }
      if (answer.status === 404) return null;
      const user = answer.body;
      if (!answer.ok || !user || typeof user.id !== 'number') throw unavailable(`answered ${answer.status}`);
      return { id: user.id, email: user.email, is_admin: user.is_admin === true };
    },
    close: () => http.close(),
  };
}

export type UserDirectory = ReturnType<typeof userDirectory>;

function unavailable(why: string): AppError {
  return new AppError({
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
    message: `user-service ${why}: the token cannot be checked, try again in a moment`,
    details: { service: 'user-service' },
  });
}
