import jwt from 'jsonwebtoken';
import { RevocationCache } from './revocation-cache';
import { createTestKeyPair, signCompactJws, signTestToken, TEST_AUDIENCE, TEST_ISSUER, TEST_KEY_PAIR, testJwks, toHighS } from './testing';
import { createVerifier, type VerifierOptions } from './verifier';
import { codeOf } from './test-support/code-of';

const T0 = Date.parse('2026-11-23T10:00:00.123Z');
// The second T0 falls in: the integer iat of a token signed at T0.
const T0_S = Math.floor(T0 / 1000);

function setup(overrides: Partial<VerifierOptions> = {}) {
  const time = { now: T0 };
  const clock = () => time.now;
  const verifier = createVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: testJwks(), clock, ...overrides });
  return { time, clock, verifier };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('createVerifier', () => {
  it('returns the typed claims of a valid token', () => {
    const { verifier } = setup();
    const claims = verifier.verify(signTestToken({ sub: 'u1', sid: 's1', role: 'admin' }, { now: T0 }));
    expect(claims).toMatchObject({ sub: 'u1', sid: 's1', role: 'admin', iss: TEST_ISSUER, aud: TEST_AUDIENCE, iat: T0_S, iat_ms: T0, exp: T0_S + 900 });
  });

  it('accepts keys given as { kid, key } entries', () => {
    const { verifier } = setup({ keys: [{ kid: TEST_KEY_PAIR.kid, key: TEST_KEY_PAIR.publicKey }] });
    expect(verifier.verify(signTestToken({}, { now: T0 })).sub).toBe('test-user');
  });

  it('rejects an empty token with TOKEN_MISSING', () => {
    expect(codeOf(() => setup().verifier.verify(''))).toBe('TOKEN_MISSING');
  });

  it('rejects a token signed by another key under a known kid with TOKEN_INVALID_SIGNATURE', () => {
    const attacker = createTestKeyPair(TEST_KEY_PAIR.kid);
    expect(codeOf(() => setup().verifier.verify(signTestToken({}, { now: T0, keyPair: attacker })))).toBe('TOKEN_INVALID_SIGNATURE');
  });

  it('rejects a tampered payload with TOKEN_INVALID_SIGNATURE', () => {
    const [header, payload, signature] = signTestToken({ role: 'user' }, { now: T0 }).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${header}.${b64({ ...claims, role: 'admin' })}.${signature}`;
    expect(codeOf(() => setup().verifier.verify(tampered))).toBe('TOKEN_INVALID_SIGNATURE');
  });

  it('rejects an expired token with TOKEN_EXPIRED, after the skew', () => {
    const { time, verifier } = setup({ cache: { enabled: false } });
    const token = signTestToken({}, { now: T0, ttlSeconds: 900 });
    time.now = (T0_S + 930) * 1000 - 1;
    expect(verifier.verify(token).sub).toBe('test-user');
    time.now = (T0_S + 930) * 1000;
    expect(codeOf(() => verifier.verify(token))).toBe('TOKEN_EXPIRED');
  });

  it('rejects a token issued in the future beyond the skew with TOKEN_NOT_YET_VALID', () => {
    const { verifier } = setup();
    expect(verifier.verify(signTestToken({}, { now: T0 + 30_000 })).sub).toBe('test-user');
    expect(codeOf(() => verifier.verify(signTestToken({}, { now: T0 + 31_000 })))).toBe('TOKEN_NOT_YET_VALID');
  });

  it('rejects a token whose nbf is in the future with TOKEN_NOT_YET_VALID', () => {
    const token = signTestToken({ nbf: T0 / 1000 + 120 }, { now: T0 });
    expect(codeOf(() => setup().verifier.verify(token))).toBe('TOKEN_NOT_YET_VALID');
  });

  it('rejects a wrong issuer with TOKEN_WRONG_ISSUER', () => {
    expect(codeOf(() => setup().verifier.verify(signTestToken({ iss: 'evil' }, { now: T0 })))).toBe('TOKEN_WRONG_ISSUER');
  });

  it('rejects a wrong audience with TOKEN_WRONG_AUDIENCE and accepts an audience list containing ours', () => {
    const { verifier } = setup();
    expect(codeOf(() => verifier.verify(signTestToken({ aud: 'other' }, { now: T0 })))).toBe('TOKEN_WRONG_AUDIENCE');
    expect(verifier.verify(signTestToken({ aud: ['other', TEST_AUDIENCE] }, { now: T0 })).sub).toBe('test-user');
  });

  it('rejects alg none with TOKEN_WRONG_ALGORITHM', () => {
    const token = `${b64({ alg: 'none', kid: TEST_KEY_PAIR.kid })}.${b64({ sub: 'u1' })}.`;
    expect(codeOf(() => setup().verifier.verify(token))).toBe('TOKEN_WRONG_ALGORITHM');
    const unsigned = `${b64({ alg: 'none', kid: TEST_KEY_PAIR.kid })}.${b64({ sub: 'u1' })}.x`;
    expect(codeOf(() => setup().verifier.verify(unsigned))).toBe('TOKEN_WRONG_ALGORITHM');
  });

  it('rejects HS256 signed with the public key as secret with TOKEN_WRONG_ALGORITHM', () => {
    const secret = TEST_KEY_PAIR.publicKey.export({ format: 'pem', type: 'spki' });
    const payload = { iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub: 'u1', sid: 's1', role: 'admin', iat: T0 / 1000, exp: T0 / 1000 + 900, jti: 'j' };
    const token = jwt.sign(payload, secret, { algorithm: 'HS256', keyid: TEST_KEY_PAIR.kid });
    expect(codeOf(() => setup().verifier.verify(token))).toBe('TOKEN_WRONG_ALGORITHM');
  });

  it('rejects the high-S twin of a valid token with TOKEN_INVALID_SIGNATURE, and accepts the low-S one', () => {
    const lowS = signTestToken({}, { now: T0 });
    const highS = toHighS(lowS);
    // The twin is a valid ECDSA signature (OpenSSL accepts both forms); only the low-S rule refuses it.
    expect(() => jwt.verify(highS, TEST_KEY_PAIR.publicKey, { algorithms: ['ES256'], clockTimestamp: T0 / 1000 })).not.toThrow();
    expect(codeOf(() => setup().verifier.verify(highS))).toBe('TOKEN_INVALID_SIGNATURE');
    expect(codeOf(() => setup().verifier.verify(lowS))).toBe('accepted');
  });

  it.each([
    ['an unknown extension', { crit: ['exp'], exp: 1 }],
    ['b64, an extension Veto does not implement', { crit: ['b64'], b64: false }],
    ['an empty list', { crit: [] }],
    ['a malformed value', { crit: 'b64' }],
  ])('rejects a crit header (%s) with TOKEN_MALFORMED', (_name, header) => {
    expect(codeOf(() => setup().verifier.verify(signTestToken({}, { now: T0, header })))).toBe('TOKEN_MALFORMED');
  });

  it('rejects a signature of the wrong length with TOKEN_INVALID_SIGNATURE', () => {
    const [header, payload] = signTestToken({}, { now: T0 }).split('.');
    const forged = `${header}.${payload}.${Buffer.from('not a signature of 64 bytes').toString('base64url')}`;
    expect(codeOf(() => setup().verifier.verify(forged))).toBe('TOKEN_INVALID_SIGNATURE');
  });

  it('rejects an unknown kid and a missing kid with TOKEN_UNKNOWN_KEY', () => {
    const stranger = createTestKeyPair('stranger');
    const { verifier } = setup();
    expect(codeOf(() => verifier.verify(signTestToken({}, { now: T0, keyPair: stranger })))).toBe('TOKEN_UNKNOWN_KEY');
    expect(codeOf(() => verifier.verify(signTestToken({}, { now: T0, header: { kid: undefined } })))).toBe('TOKEN_UNKNOWN_KEY');
  });

  it('rejects an oversized token with TOKEN_MALFORMED before parsing it', () => {
    const { verifier } = setup({ maxTokenBytes: 1024 });
    expect(codeOf(() => verifier.verify('a'.repeat(1025)))).toBe('TOKEN_MALFORMED');
    expect(codeOf(() => verifier.verify(signTestToken({ padding: 'x'.repeat(1024) }, { now: T0 })))).toBe('TOKEN_MALFORMED');
    expect(codeOf(() => verifier.verify('é'.repeat(600)))).toBe('TOKEN_MALFORMED');
  });

  it.each([
    ['two segments', 'abc.def'],
    ['four segments', 'a.b.c.d'],
    ['non-base64url characters', 'a+b.c/d.e=f'],
    ['a header that is not JSON', `${Buffer.from('not json').toString('base64url')}.e30.c2ln`],
    ['a header that is a JSON array', `${b64([1])}.e30.c2ln`],
    ['plain garbage', 'garbage'],
  ])('rejects %s with TOKEN_MALFORMED', (_name, token) => {
    expect(codeOf(() => setup().verifier.verify(token))).toBe('TOKEN_MALFORMED');
  });

  it.each(['sub', 'sid', 'jti', 'iat', 'exp', 'role'])('rejects a token without %s with TOKEN_MALFORMED', (claim) => {
    expect(codeOf(() => setup().verifier.verify(signTestToken({ [claim]: undefined }, { now: T0 })))).toBe('TOKEN_MALFORMED');
  });

  it.each([
    ['a numeric sub', { sub: 42 }],
    ['a string iat', { iat: String(T0 / 1000) }],
    ['an unknown role', { role: 'root' }],
  ])('rejects %s with TOKEN_MALFORMED', (_name, claims) => {
    expect(codeOf(() => setup().verifier.verify(signTestToken(claims, { now: T0 })))).toBe('TOKEN_MALFORMED');
  });

  it.each([
    ['an iat_ms in the next second', { iat_ms: T0 + 1000 }],
    ['an iat_ms in the previous second', { iat_ms: T0 - 1000 }],
    ['a fractional iat besides iat_ms', { iat: T0 / 1000 }],
    ['a fractional iat_ms', { iat_ms: T0 + 0.5 }],
    ['a negative iat_ms', { iat: -1, iat_ms: -1 }],
    ['an iat_ms beyond safe integers', { iat: 2 ** 53 / 1000, iat_ms: 2 ** 53 }],
    ['a string iat_ms', { iat_ms: String(T0) }],
  ])('rejects a token with %s with TOKEN_MALFORMED', (_name, claims) => {
    expect(codeOf(() => setup().verifier.verify(signTestToken(claims, { now: T0 })))).toBe('TOKEN_MALFORMED');
  });

  describe('lifetime bound (accessTokenTtlSeconds 900, skew 30)', () => {
    const verify = (ttlSeconds: number) => codeOf(() => setup({ accessTokenTtlSeconds: 900, clockSkewSeconds: 30 }).verifier.verify(signTestToken({}, { now: T0, ttlSeconds })));

    it('accepts exp - iat = ttl and shorter', () => {
      expect(verify(900)).toBe('accepted');
      expect(verify(60)).toBe('accepted');
    });

    // The skew tolerates clock differences between machines; exp and iat both come from the
    // issuer's clock, so a token living ttl + anything would outlive the revocation entry.
    it.each([901, 900 + 30, 900 + 30 + 1, 10 * 365 * 86_400])('rejects exp - iat = %i s with TOKEN_LIFETIME_TOO_LONG', (ttlSeconds) => {
      expect(verify(ttlSeconds)).toBe('TOKEN_LIFETIME_TOO_LONG');
    });

    it('defaults to the auth service default of 900 s', () => {
      expect(codeOf(() => setup().verifier.verify(signTestToken({}, { now: T0, ttlSeconds: 900 })))).toBe('accepted');
      expect(codeOf(() => setup().verifier.verify(signTestToken({}, { now: T0, ttlSeconds: 901 })))).toBe('TOKEN_LIFETIME_TOO_LONG');
    });

    it('accepts a previous-format token living exactly ttl despite floating-point error in exp - iat', () => {
      // 1795428000.123 + 900 - 1795428000.123 is not exactly 900 in binary floating point.
      const iat = T0 / 1000;
      const token = signTestToken({ iat, iat_ms: undefined, exp: iat + 900 }, { now: T0 });
      expect(codeOf(() => setup({ clockSkewSeconds: 0 }).verifier.verify(token))).toBe('accepted');
    });
  });

  describe('same-second revocation decisions', () => {
    function withBanAt(revokedAtMs: number) {
      const { clock } = setup();
      const revocations = new RevocationCache({ accessTokenTtlSeconds: 900, clock });
      revocations.revokeUser('u1', revokedAtMs);
      return setup({ revocations, cache: { enabled: false } }).verifier;
    }

    it('accepts a token issued 1 ms after the ban in the same second, rejects one of the same millisecond (iat_ms)', () => {
      const verifier = withBanAt(T0);
      expect(codeOf(() => verifier.verify(signTestToken({ sub: 'u1' }, { now: T0 + 1 })))).toBe('accepted');
      expect(codeOf(() => verifier.verify(signTestToken({ sub: 'u1' }, { now: T0 })))).toBe('TOKEN_REVOKED');
      expect(codeOf(() => verifier.verify(signTestToken({ sub: 'u1' }, { now: T0 - 1 })))).toBe('TOKEN_REVOKED');
    });

    it('decides a previous-format token (fractional iat, no iat_ms) by its milliseconds too', () => {
      const verifier = withBanAt(T0);
      const oldFormat = (iatMs: number) => signTestToken({ sub: 'u1', iat: iatMs / 1000, iat_ms: undefined, exp: iatMs / 1000 + 900 }, { now: iatMs });
      expect(codeOf(() => verifier.verify(oldFormat(T0 + 1)))).toBe('accepted');
      expect(codeOf(() => verifier.verify(oldFormat(T0)))).toBe('TOKEN_REVOKED');
      expect(codeOf(() => verifier.verify(oldFormat(T0 - 1)))).toBe('TOKEN_REVOKED');
    });

    it('counts an integer iat without iat_ms (another issuer) as the start of its second', () => {
      const verifier = withBanAt(T0);
      const wholeSecond = (iat: number) => signTestToken({ sub: 'u1', iat, iat_ms: undefined, exp: iat + 900 }, { now: iat * 1000 });
      expect(codeOf(() => verifier.verify(wholeSecond(T0_S)))).toBe('TOKEN_REVOKED');
      expect(codeOf(() => verifier.verify(wholeSecond(T0_S + 1)))).toBe('accepted');
    });
  });

  it('rejects a validly signed payload that is not a JSON object with TOKEN_MALFORMED', () => {
    const token = signCompactJws({ alg: 'ES256', kid: TEST_KEY_PAIR.kid }, { sub: 'u1' }, TEST_KEY_PAIR.privateKey);
    const [header, , signature] = token.split('.');
    expect(codeOf(() => setup().verifier.verify(`${header}.${b64('a string')}.${signature}`))).toBe('TOKEN_MALFORMED');
  });

  it('serves a repeated token from the cache and counts hits and misses', () => {
    const { verifier } = setup();
    const token = signTestToken({}, { now: T0 });
    const first = verifier.verify(token);
    expect(verifier.verify(token)).toBe(first);
    expect(verifier.stats).toEqual({ cacheHits: 1, cacheMisses: 1 });
  });

  it('never serves a cached token past its exp', () => {
    const { time, verifier } = setup({ clockSkewSeconds: 0 });
    const token = signTestToken({}, { now: T0, ttlSeconds: 60 });
    verifier.verify(token);
    time.now = T0 + 60_000;
    expect(codeOf(() => verifier.verify(token))).toBe('TOKEN_EXPIRED');
    expect(verifier.stats).toEqual({ cacheHits: 0, cacheMisses: 2 });
  });

  it('checks revocation on a cache hit', () => {
    const { clock } = setup();
    const revocations = new RevocationCache({ accessTokenTtlSeconds: 900, clock });
    const { verifier } = setup({ revocations, clock });
    const token = signTestToken({ sub: 'u1', sid: 's1' }, { now: T0 - 1000 });
    verifier.verify(token);
    revocations.revokeUser('u1', T0);
    expect(codeOf(() => verifier.verify(token))).toBe('TOKEN_REVOKED');
    expect(verifier.stats.cacheHits).toBe(1);
  });

  it('checks revocation only after the signature', () => {
    const revocations = { isRevoked: jest.fn(() => true) };
    const { verifier } = setup({ revocations });
    const forged = signTestToken({ sub: 'u1' }, { now: T0, keyPair: createTestKeyPair(TEST_KEY_PAIR.kid) });
    expect(codeOf(() => verifier.verify(forged))).toBe('TOKEN_INVALID_SIGNATURE');
    expect(revocations.isRevoked).not.toHaveBeenCalled();
    expect(codeOf(() => verifier.verify(signTestToken({ sub: 'u1' }, { now: T0 })))).toBe('TOKEN_REVOKED');
  });

  it('refuses valid tokens with REVOCATION_UNAVAILABLE while revocation is unavailable', () => {
    let available = false;
    const { verifier } = setup({ isRevocationAvailable: () => available });
    const token = signTestToken({}, { now: T0 });
    expect(codeOf(() => verifier.verify(token))).toBe('REVOCATION_UNAVAILABLE');
    available = true;
    expect(verifier.verify(token).sub).toBe('test-user');
  });

  it.each<[string, Partial<VerifierOptions>]>([
    ['an empty issuer', { issuer: '' }],
    ['an empty audience', { audience: '' }],
    ['a negative skew', { clockSkewSeconds: -1 }],
    ['a zero access-token TTL', { accessTokenTtlSeconds: 0 }],
    ['a zero cache size', { cache: { max: 0 } }],
    ['no usable key', { keys: { keys: [] } }],
    ['a private key', { keys: [{ kid: 'k', key: TEST_KEY_PAIR.privateKey }] }],
    ['revocations that are not a RevocationCache', { revocations: {} as RevocationCache }],
  ])('throws TypeError at construction for %s', (_name, overrides) => {
    expect(() => setup(overrides)).toThrow(TypeError);
  });
});
