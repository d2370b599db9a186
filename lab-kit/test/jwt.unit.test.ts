import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { hmacKey, tokenScope } from '../src/jwt';

describe('hmacKey', () => {
  it('when a token is signed with the key, then a verifier holding the plain secret accepts it, and back', () => {
    const fromKey = jwt.sign({ sub: '7' }, hmacKey('lab-secret'), { algorithm: 'HS256' });
    expect(jwt.verify(fromKey, 'lab-secret', { algorithms: ['HS256'] })).toMatchObject({ sub: '7' });
    const fromString = jwt.sign({ sub: '8' }, 'lab-secret', { algorithm: 'HS256' });
    expect(jwt.verify(fromString, hmacKey('lab-secret'), { algorithms: ['HS256'] })).toMatchObject({ sub: '8' });
  });

  it('when the secret differs, then the signature is refused', () => {
    const token = jwt.sign({ sub: '7' }, hmacKey('lab-secret'), { algorithm: 'HS256' });
    expect(() => jwt.verify(token, hmacKey('another-secret'), { algorithms: ['HS256'] })).toThrow(/invalid signature/);
  });

  it('when asked twice for one secret, then the key is built once', () => {
    expect(hmacKey('lab-secret')).toBe(hmacKey('lab-secret'));
    expect(hmacKey('lab-secret')).not.toBe(hmacKey('another-secret'));
  });
});

describe('tokenScope', () => {
  it("when a token of one stack is verified with the other stack's scope, then it is refused", () => {
    const key = hmacKey('lab-secret');
    const token = jwt.sign({ sub: '2' }, key, { algorithm: 'HS256', ...tokenScope('monolith') });
    expect(jwt.verify(token, key, { algorithms: ['HS256'], ...tokenScope('monolith') })).toMatchObject({ sub: '2' });
    expect(() => jwt.verify(token, key, { algorithms: ['HS256'], ...tokenScope('microservices') })).toThrow(
      /audience invalid/,
    );
    const unscoped = jwt.sign({ sub: '2' }, key, { algorithm: 'HS256' });
    expect(() => jwt.verify(unscoped, key, { algorithms: ['HS256'], ...tokenScope('monolith') })).toThrow();
  });
});
