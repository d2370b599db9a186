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
