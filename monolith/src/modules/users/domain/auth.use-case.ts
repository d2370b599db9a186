import { AppError, errors, hmacKey, tokenScope } from '@checkout-lab/kit';
import bcrypt from 'bcryptjs';
import jwt from 'jsonwebtoken';
import type { DataSource } from 'typeorm';
import { BCRYPT_ROUNDS } from '../../../db/seed';
import { type PublicUser, toPublicUser, userRepository } from '../data-access/user.repository';
import type { UserRow } from '../data-access/user.entity';

export interface JwtSettings {
  secret: string;
  expiresInS: number;
}

export async function registerUser(
  db: DataSource,
  input: { email: string; password: string; full_name: string },
): Promise<PublicUser> {
  const password_hash = await bcrypt.hash(input.password, BCRYPT_ROUNDS);
  const created = await userRepository(db).create({ email: input.email, password_hash, full_name: input.full_name });
  if (!created) throw errors.conflict('EMAIL_TAKEN', 'An account with this email already exists');
  return toPublicUser(created);
}

export async function logIn(
  db: DataSource,
  settings: JwtSettings,
  input: { email: string; password: string },
): Promise<{ access_token: string; token_type: 'bearer'; expires_in: number }> {
  const user = await userRepository(db).findByEmail(input.email);
  // The same answer for an unknown email and a wrong password: the response does not reveal who has an account.
  if (!user || !(await bcrypt.compare(input.password, user.password_hash))) {
    throw new AppError({ status: 401, code: 'INVALID_CREDENTIALS', message: 'Wrong email or password' });
  }
  // The token names the user; is_admin in it is only informative: authenticate reads the flag from the database.
  const access_token = jwt.sign({ email: user.email, is_admin: user.is_admin }, hmacKey(settings.secret), {
    algorithm: 'HS256',
    subject: String(user.id),
    expiresIn: settings.expiresInS,
    ...tokenScope('monolith'),
  });
  return { access_token, token_type: 'bearer', expires_in: settings.expiresInS };
}

/**
 * The user behind a bearer token: a bad signature, an expired token, a token of the other stack (iss/aud) or a user
 * that no longer exists is a 401. The user comes from the database on every request, so a deleted account is refused
 * at once and admin rights are the record's, never the token's claim.
 * LESSON: the gateway is not a wall (LESSONS.md#the-gateway-is-not-a-wall): the gateway does the same since it asks
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
