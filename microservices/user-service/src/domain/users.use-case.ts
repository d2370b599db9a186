import bcrypt from 'bcryptjs';
import jwt from 'jsonwebtoken';
import type { LoginSchema, RegisterSchema } from '@checkout-lab/contract';
import { fitsBcrypt, hmacKey, LoginLimiter, tokenScope } from '@checkout-lab/kit';
import type { z } from 'zod';
import type { User, UserRepository } from '../data-access/user.repository';
import { userErrors } from './user.errors';

export interface TokenSettings {
  secret: string;
  expiresInS: number;
  bcryptRounds: number;
}

/**
 * The claims of an access token: sub (the user id, as a string), email, is_admin, plus iss and aud
 * "checkout-lab/microservices" (tokenScope), so the monolith refuses it and the gateway refuses the monolith's.
 * is_admin is informative: the gateway takes admin rights from the user's record (GET /internal/users/:id).
 */
export interface AccessClaims {
  sub: string;
  email: string;
  is_admin: boolean;
}

export class UserUseCases {
  // A hash of nothing in particular: login compares against it when the email is unknown, so that an unknown email
  // and a wrong password take the same time and an attacker cannot list accounts by timing.
  private readonly dummyHash: string;

  constructor(
    private readonly users: UserRepository,
    private readonly tokens: TokenSettings,
    /** Failed logins per account and per address (LOGIN_FAILURE_LIMIT ...), counted in this process. */
    private readonly limiter = new LoginLimiter(),
  ) {
    this.dummyHash = bcrypt.hashSync('not-a-password', tokens.bcryptRounds);
  }

  async register(input: z.infer<typeof RegisterSchema>): Promise<User> {
    const password_hash = await bcrypt.hash(input.password, this.tokens.bcryptRounds);
    const user = await this.users.insert({ email: input.email, password_hash, full_name: input.full_name });
    if (!user) throw userErrors.emailTaken();
    return user;
  }

  /** address: the client's, as the gateway saw it; failed logins are limited per account and per address (429). */
  async login(input: z.infer<typeof LoginSchema>, address: string | undefined) {
    const attempt = this.limiter.begin(input.email, address);
    const user = await this.users.findByEmail(input.email);
    const matches = await bcrypt.compare(input.password, user?.password_hash ?? this.dummyHash);
    // Beyond 72 bytes bcrypt would compare only the start: such a password was never accepted, so it never matches.
    if (!user || !matches || !fitsBcrypt(input.password)) throw userErrors.invalidCredentials();
    attempt.succeeded();
    const claims: AccessClaims = { sub: String(user.id), email: user.email, is_admin: user.is_admin };
    const access_token = jwt.sign(claims, hmacKey(this.tokens.secret), {
      algorithm: 'HS256',
      expiresIn: this.tokens.expiresInS,
      ...tokenScope('microservices'),
    });
    return { access_token, token_type: 'bearer' as const, expires_in: this.tokens.expiresInS };
  }

  async me(userId: number): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw userErrors.userGone();
    return user;
  }

  /** The user behind a verified token, for the gateway: a deleted or invented id is a 404 it turns into a 401. */
  async byId(userId: number): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw userErrors.notFound();
    return user;
  }

  async seedAdmin(email: string, password: string): Promise<User> {
    return this.users.upsertAdmin(email.toLowerCase(), await bcrypt.hash(password, this.tokens.bcryptRounds));
  }
}
