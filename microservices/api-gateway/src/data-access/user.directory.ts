import { AppError } from '@checkout-lab/kit';
import { type CallFailed, type InternalAuth, type JsonAnswer, jsonClient, type UserChange } from '@checkout-lab/shared';

/** A user as user-service's record has it: what the gateway passes on, not what the token claims. */
export interface DirectoryUser {
  id: number;
  email: string;
  is_admin: boolean;
}

/**
 * user-service's GET /internal/users/:id, asked for every request that carries a verified token: a deleted account is
 * refused at its next request and admin rights are the record's. No cache here: a cached "this user exists" with a
 * time-to-live would let a deleted user's token work until it expired (cachedUserDirectory, below, keeps users only
 * while it hears of every change).
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
    /** For /health: this directory keeps nothing. */
    cache: (): UserCacheState => ({ status: 'off', users: 0 }),
    close: () => http.close(),
  };
}

export type UserDirectory = ReturnType<typeof userDirectory>;

/** What the gateway's identity middleware and /health need of a directory: the user behind an id, its cache. */
export type UserLookup = Pick<UserDirectory, 'find' | 'cache'>;

/** The cache as /health shows it: live (kept users are served), not connected (every request asks), or off. */
export interface UserCacheState {
  status: 'live' | 'not connected' | 'off';
  users: number;
}

function unavailable(why: string): AppError {
  return new AppError({
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
    message: `user-service ${why}: the token cannot be checked, try again in a moment`,
    details: { service: 'user-service' },
  });
}

/** At most this many users are kept; the oldest looked up goes first. */
const CACHE_LIMIT = 10_000;

// PERF: keeping the users saves the lookup's loopback round trip and indexed read on every authenticated request
// (about 3 ms of a 10 ms accept on the lab's 2-core machine; docs/results/measurements.md). USER_CACHE=off turns it
// off: then every request asks user-service, as userDirectory alone does.
/**
 * userDirectory, remembering the users it found for as long as it hears of every change: user-service's change feed
 * (user-changes.feed.ts) names each user updated or deleted, at commit, and the user is forgotten then. While the
 * feed is not connected nothing is remembered and every request asks. A deleted user is refused as soon as its
 * change arrives (on loopback, well under a millisecond after the commit), not when its token expires.
 * A lookup that was in flight while its user changed is answered but not kept: what it read may be the old record.
 */
export function cachedUserDirectory(directory: UserDirectory) {
  const known = new Map<number, DirectoryUser>();
  // Bumped by every change of that user (and, for all of them, by `epoch`): a lookup started before keeps nothing.
  const changes = new Map<number, number>();
  let epoch = 0;
  let live = false;
  const forgetAll = () => {
    known.clear();
    changes.clear();
    epoch++;
  };
  return {
    async find(userId: number, requestId: string): Promise<DirectoryUser | null> {
      const kept = live ? known.get(userId) : undefined;
      if (kept) return kept;
      const startedAt = { epoch, change: changes.get(userId) ?? 0 };
      const user = await directory.find(userId, requestId);
      const unchanged = startedAt.epoch === epoch && startedAt.change === (changes.get(userId) ?? 0);
      if (user && live && unchanged) {
        if (known.size >= CACHE_LIMIT) known.delete(known.keys().next().value as number);
        known.set(userId, user);
      }
      return user;
    },
    /** For the change feed: what it says, as it says it. */
    feed: {
      ready() {
        forgetAll();
        live = true;
      },
      change(change: UserChange) {
        if ('all' in change) return forgetAll();
        known.delete(change.id);
        changes.set(change.id, (changes.get(change.id) ?? 0) + 1);
        if (changes.size > CACHE_LIMIT) forgetAll();
      },
      lost() {
        live = false;
        forgetAll();
      },
    },
    cache: (): UserCacheState => ({ status: live ? 'live' : 'not connected', users: known.size }),
    close: () => directory.close(),
  };
}
