import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { internalAuth } from '../src/http';

const SECRET = 'internal-token-cache-test-secret';
const buyer = { userId: 7, email: 'ada@example.test', isAdmin: false };

afterEach(() => vi.useRealTimers());

describe('internal tokens, signed and verified once per buyer', () => {
  test('when the same buyer is signed for twice within half the lifetime, then the token is the same one', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const auth = internalAuth('api-gateway', SECRET);
    const first = auth.sign(buyer);
    vi.advanceTimersByTime(5_000); // a token signed anew would carry another iat
    expect(auth.sign(buyer)).toBe(first);
    expect(auth.sign({ ...buyer, isAdmin: true })).not.toBe(first);
    expect(auth.sign()).not.toBe(first);
    expect(auth.verify(first)).toEqual({ caller: 'api-gateway', identity: buyer });
  });

  test('when half the lifetime has passed, then a new token is signed', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const auth = internalAuth('api-gateway', SECRET);
    const first = auth.sign(buyer);
    vi.advanceTimersByTime(31_000);
    const second = auth.sign(buyer);
    expect(second).not.toBe(first);
    expect((jwt.decode(second) as jwt.JwtPayload).exp).toBeGreaterThan((jwt.decode(first) as jwt.JwtPayload).exp ?? 0);
  });

  test('when one token is verified three times, then the signature is checked once', () => {
    const token = internalAuth('api-gateway', SECRET).sign(buyer);
    const service = internalAuth('order-service', SECRET);
    const verify = vi.spyOn(jwt, 'verify');
    try {
      for (let i = 0; i < 3; i++) expect(service.verify(token)?.identity).toEqual(buyer);
      expect(verify).toHaveBeenCalledTimes(1);
    } finally {
      verify.mockRestore();
    }
  });

  test('when a remembered token expires, then it is refused like any expired token', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const gateway = internalAuth('api-gateway', SECRET);
    const service = internalAuth('order-service', SECRET);
    const token = gateway.sign(buyer);
    expect(service.verify(token)?.identity).toEqual(buyer);
    vi.advanceTimersByTime(59_000);
    expect(service.verify(token)?.identity).toEqual(buyer);
    vi.advanceTimersByTime(2_000);
    expect(service.verify(token)).toBeNull();
  });

  test('when a token is forged or signed with another secret, then it is refused, remembered tokens or not', () => {
    const gateway = internalAuth('api-gateway', SECRET);
    const service = internalAuth('order-service', SECRET);
    const real = gateway.sign(buyer);
    expect(service.verify(real)).not.toBeNull();
    const claims = jwt.decode(real) as jwt.JwtPayload;
    const promoted = jwt.sign({ ...claims, is_admin: true }, 'another-secret', { algorithm: 'HS256' });
    expect(service.verify(promoted)).toBeNull();
    const [head, , signature] = real.split('.');
    const body = Buffer.from(JSON.stringify({ ...claims, is_admin: true })).toString('base64url');
    expect(service.verify(`${head}.${body}.${signature}`)).toBeNull();
    expect(service.verify(internalAuth('api-gateway', 'another-secret').sign(buyer))).toBeNull();
  });
});
