import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { toLowS } from '@veto/auth-lib';
import jwt from 'jsonwebtoken';
import { issueAccessToken, type AccessTokenSettings } from './issue-access-token';
import { createSigningKeys } from './signing-keys';

const NOW_MS = Date.UTC(2026, 0, 15, 10, 0, 0, 123);
const subject = { userId: '7f0c2c1e-8a53-4c8e-9a57-1f6a3a1c0b11', sessionId: '0b6f3f7e-2f54-4b1d-8f0e-5d8a9f6c2e01', role: 'user' as const };

function settings(overrides: Partial<AccessTokenSettings> = {}): AccessTokenSettings {
  const privateKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { keys: createSigningKeys({ privateKeyPem }), issuer: 'veto-auth', audience: 'veto', ttlSeconds: 900, clock: () => NOW_MS, ...overrides };
}

describe('issueAccessToken', () => {
  it('carries iss, aud, sub, sid, role, an integer iat and the exact iat_ms from the clock, exp = iat + ttl, and a jti', () => {
    const s = settings();
    const { token, claims, expiresAt } = issueAccessToken(s, subject);
    const payload = jwt.decode(token);
    expect(payload).toEqual({
      iss: 'veto-auth',
      aud: 'veto',
      sub: subject.userId,
      sid: subject.sessionId,
      role: 'user',
      iat: 1_768_471_200,
      iat_ms: 1_768_471_200_123,
      exp: 1_768_471_200 + 900,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(claims).toEqual(payload);
    expect(expiresAt.getTime()).toBe((1_768_471_200 + 900) * 1000);
  });

  it('signs ES256 with the kid of the current key in the header', () => {
    const s = settings();
    const decoded = jwt.decode(issueAccessToken(s, subject).token, { complete: true });
    expect(decoded?.header).toEqual({ alg: 'ES256', typ: 'JWT', kid: s.keys.kid });
  });

  it('gives every token its own jti', () => {
    const s = settings();
    expect(issueAccessToken(s, subject).claims.jti).not.toBe(issueAccessToken(s, subject).claims.jti);
  });

  it('issues a token that verifies with a key built only from the JWKS', () => {
    const s = settings();
    const { token } = issueAccessToken(s, subject);
    const jwks = JSON.parse(JSON.stringify(s.keys.jwks)) as { keys: { kid: string }[] };
    const kid = jwt.decode(token, { complete: true })?.header.kid;
    const jwk = jwks.keys.find((key) => key.kid === kid);
    expect(jwk).toBeDefined();
    const key = createPublicKey({ key: jwk as never, format: 'jwk' });
    const verified = jwt.verify(token, key, { algorithms: ['ES256'], issuer: 'veto-auth', audience: 'veto', clockTimestamp: NOW_MS / 1000 });
    expect(verified).toMatchObject({ sub: subject.userId, sid: subject.sessionId });
  });

  it('expires exactly ttl seconds after the second it was issued in', () => {
    const s = settings({ ttlSeconds: 60 });
    const { token } = issueAccessToken(s, subject);
    const options = { algorithms: ['ES256' as const], issuer: 'veto-auth', audience: 'veto' };
    const issueSecond = Math.floor(NOW_MS / 1000);
    expect(() => jwt.verify(token, s.keys.publicKey, { ...options, clockTimestamp: issueSecond + 59.999 })).not.toThrow();
    expect(() => jwt.verify(token, s.keys.publicKey, { ...options, clockTimestamp: issueSecond + 60 })).toThrow(jwt.TokenExpiredError);
  });

  it('is valid at once for a verifier comparing whole seconds (PyJWT: iat <= now)', () => {
    const s = settings({ clock: () => Date.UTC(2026, 0, 15, 10, 0, 0, 999) });
    const { claims } = issueAccessToken(s, subject);
    expect(Number.isInteger(claims.iat) && Number.isInteger(claims.exp)).toBe(true);
    expect(claims.iat).toBeLessThanOrEqual(Math.floor(s.clock() / 1000));
  });

  it('signs every token in low-S form (OpenSSL alone gives high-S about half the time)', () => {
    const s = settings();
    for (let i = 0; i < 32; i += 1) {
      const { token } = issueAccessToken(s, subject);
      expect(toLowS(token)).toBe(token);
    }
  });
});
