import { createSecretKey, type KeyObject } from 'node:crypto';

const keys = new Map<string, KeyObject>();

/**
 * The HS256 key for a JWT secret, built once per secret. Handed a plain string, jsonwebtoken first tries to parse it
 * as a PEM public (or private) key and only falls back to a secret key after that throws, on every verify and sign:
 * in a profile of the gateway under load that was a third of its CPU. A KeyObject skips the guess.
 */
export function hmacKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}

/** The two shops of the lab: each issues its own access tokens. */
export type TokenStack = 'monolith' | 'microservices';

/**
 * Who issued an access token and for whom: the same for sign and verify, so each stack issues and accepts only its own
 * tokens. Both stacks sign with one JWT_SECRET by default and number their users from 1, so without these two claims
 * user 2 of one shop would be accepted as user 2 of the other, a different person.
 * Spread into jsonwebtoken's options: `jwt.sign(claims, key, { ...tokenScope('monolith'), ... })`, and the same in
 * `jwt.verify`, which then refuses a token of the other stack (or one with no iss or aud).
 */
export function tokenScope(stack: TokenStack): { issuer: string; audience: string } {
  const name = `checkout-lab/${stack}`;
  return { issuer: name, audience: name };
}
