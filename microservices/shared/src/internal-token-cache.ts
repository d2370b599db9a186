import type { Identity, InternalAuth, InternalCall } from './http';

/** How many tokens each side remembers before it starts again from empty: far more than a lab has buyers at once. */
const MAX_REMEMBERED = 10_000;

type Tokens = Pick<InternalAuth, 'sign' | 'verify'>;

// PERF: jsonwebtoken's sign costs about 30 µs and its verify about 65 µs, and every request pays them on each hop
// (the gateway signs twice, once to ask user-service and once to forward; every service verifies). This boundary
// reuses a token the same service signed for the same buyer while more than half its lifetime is left, and remembers
// a token it verified until the token expires, so a burst of one buyer's requests signs and verifies once
// (docs/results/measurements.md, "Internal tokens made once"). It changes nothing a token proves: a remembered token
// is one that verified with the key, and it is refused again from the second its `exp` passes.
/** `tokens` with a memory of what they signed and verified. */
export function rememberingTokens(tokens: Tokens, lifetimeS: number): Tokens {
  const signed = new Map<string, { token: string; reuseUntilMs: number }>();
  const verified = new Map<string, { call: InternalCall; expiresAtMs: number }>();
  return {
    sign(identity?: Identity | null) {
      const key = identity ? `${identity.userId}\n${identity.email}\n${identity.isAdmin}` : '';
      const now = Date.now();
      const kept = signed.get(key);
      if (kept && kept.reuseUntilMs > now) return kept.token;
      const token = tokens.sign(identity);
      if (signed.size >= MAX_REMEMBERED) signed.clear();
      signed.set(key, { token, reuseUntilMs: now + (lifetimeS * 1000) / 2 });
      return token;
    },
    verify(token) {
      if (!token) return null;
      const now = Date.now();
      const kept = verified.get(token);
      if (kept) {
        if (kept.expiresAtMs > now) return kept.call;
        verified.delete(token);
      }
      const call = tokens.verify(token);
      if (!call) return null;
      if (verified.size >= MAX_REMEMBERED) verified.clear();
      verified.set(token, { call, expiresAtMs: expiryMs(token) ?? now });
      return call;
    },
  };
}

/** The `exp` of a token that has just verified, in ms; null when it has none. */
function expiryMs(token: string): number | null {
  const payload = token.split('.')[1];
  const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
  return typeof exp === 'number' ? exp * 1000 : null;
}
