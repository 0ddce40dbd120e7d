import { createPublicKey, generateKeyPairSync } from 'node:crypto';
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
  it('carries iss, aud, sub, sid, role, a millisecond iat from the clock, exp = iat + ttl, and a jti', () => {
    const s = settings();
    const { token, claims, expiresAt } = issueAccessToken(s, subject);
    const payload = jwt.decode(token);
    expect(payload).toEqual({
      iss: 'veto-auth',
      aud: 'veto',
      sub: subject.userId,
      sid: subject.sessionId,
      role: 'user',
      iat: 1_768_471_200.123,
      exp: 1_768_471_200.123 + 900,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(claims).toEqual(payload);
    expect(expiresAt.getTime()).toBe(NOW_MS + 900_000);
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

  it('expires exactly ttl seconds after issue', () => {
    const s = settings({ ttlSeconds: 60 });
    const { token } = issueAccessToken(s, subject);
    const options = { algorithms: ['ES256' as const], issuer: 'veto-auth', audience: 'veto' };
    expect(() => jwt.verify(token, s.keys.publicKey, { ...options, clockTimestamp: NOW_MS / 1000 + 59.9 })).not.toThrow();
    expect(() => jwt.verify(token, s.keys.publicKey, { ...options, clockTimestamp: NOW_MS / 1000 + 60.2 })).toThrow(jwt.TokenExpiredError);
  });
});
