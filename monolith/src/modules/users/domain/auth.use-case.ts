import { AppError, errors, fitsBcrypt, hmacKey, type LoginLimiter, tokenScope } from '@checkout-lab/kit';
import bcrypt from 'bcryptjs';
import jwt from 'jsonwebtoken';
import type { DataSource } from 'typeorm';
import { type PublicUser, toPublicUser, userRepository } from '../data-access/user.repository';
import type { UserRow } from '../data-access/user.entity';

export interface JwtSettings {
  secret: string;
  expiresInS: number;
}

/** bcryptRounds is the config's BCRYPT_ROUNDS: the cost of every password hash. */
export async function registerUser(
  db: DataSource,
  input: { email: string; password: string; full_name: string },
  bcryptRounds: number,
): Promise<PublicUser> {
  const password_hash = await bcrypt.hash(input.password, bcryptRounds);
  const created = await userRepository(db).create({ email: input.email, password_hash, full_name: input.full_name });
  if (!created) throw errors.conflict('EMAIL_TAKEN', 'An account with this email already exists');
  return toPublicUser(created);
}

// A hash of nothing in particular, made once at the same cost: an unknown email is compared against it, so that it
// takes as long as a wrong password and the time of the answer does not tell who has an account either.
const dummyHashes = new Map<number, Promise<string>>();
const theDummyHash = (bcryptRounds: number) => {
  let hash = dummyHashes.get(bcryptRounds);
  if (!hash) {
    hash = bcrypt.hash('not-a-password', bcryptRounds);
    dummyHashes.set(bcryptRounds, hash);
  }
  return hash;
};

export async function logIn(
  db: DataSource,
  settings: JwtSettings,
  input: { email: string; password: string },
  guard: { limiter: LoginLimiter; address: string | undefined },
  bcryptRounds: number,
): Promise<{ access_token: string; token_type: 'bearer'; expires_in: number }> {
  // Failed logins are limited per account and per address (429 RATE_LIMITED): guessing a password takes forever.
  const attempt = guard.limiter.begin(input.email, guard.address);
  const user = await userRepository(db).findByEmail(input.email);
  // Beyond 72 bytes bcrypt would compare only the start: such a password was never accepted, so it never matches.
  const matches = await bcrypt.compare(input.password, user?.password_hash ?? (await theDummyHash(bcryptRounds)));
  // The same answer for an unknown email and a wrong password: the response does not reveal who has an account.
  if (!user || !matches || !fitsBcrypt(input.password)) {
    throw new AppError({ status: 401, code: 'INVALID_CREDENTIALS', message: 'Wrong email or password' });
  }
  attempt.succeeded();
  // The token names the user; is_admin in it is only informative: authenticate reads the flag from the database.
  const access_token = jwt.sign({ email: user.email, is_admin: user.is_admin }, hmacKey(settings.secret), {
    algorithm: 'HS256',
    subject: String(user.id),
    expiresIn: settings.expiresInS,
    ...tokenScope('monolith'),
  });
  return { access_token, token_type: 'bearer', expires_in: settings.expiresInS };
}

// LESSON: The gateway is not a wall (LESSONS.md#the-gateway-is-not-a-wall)
/**
 * The user behind a bearer token: a bad signature, an expired token, a token of the other stack (iss/aud) or a user
 * that no longer exists is a 401. The user comes from the database on every request, so a deleted account is refused
 * at once and admin rights are the record's, never the token's claim.
 * The gateway does the same since it asks
 * user-service for the user behind every token.
 */
export async function authenticate(
  db: DataSource,
  settings: JwtSettings,
  header: string | undefined,
): Promise<UserRow> {
  const match = /^Bearer (\S+)$/i.exec(header ?? '');
  if (!match) throw errors.unauthorized('Send Authorization: Bearer <token> (POST /api/auth/login gives one)');
  let subject: string | undefined;
  try {
    const payload = jwt.verify(match[1], hmacKey(settings.secret), {
      algorithms: ['HS256'],
      ...tokenScope('monolith'),
    });
    subject = typeof payload === 'string' ? undefined : payload.sub;
  } catch (error) {
    const expired = (error as Error).name === 'TokenExpiredError';
    throw errors.unauthorized(expired ? 'The token has expired: log in again' : 'The token is not valid');
  }
  const id = Number(subject);
  if (!Number.isInteger(id) || id < 1 || id > 2147483647) throw errors.unauthorized('The token is not valid');
  const user = await userRepository(db).findById(id);
  if (!user) throw errors.unauthorized('The token names a user that does not exist');
  return user;
}
