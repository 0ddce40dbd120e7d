import fc from 'fast-check';
import { accessTokenTimes } from './access-token-claims';
import { RevocationCache } from './revocation-cache';
import { signTestToken, TEST_AUDIENCE, TEST_ISSUER, testJwks } from './testing';
import { codeOf } from './test-support/code-of';
import { createVerifier } from './verifier';

const TTL_S = 60;
const SKEW_S = 5;
const LIFETIME_MS = (TTL_S + SKEW_S) * 1000;
const T0 = 1_763_892_000_000;

// Times are offsets from the clock when the step runs, so they stay near the live window.
type Op =
  | { kind: 'user' | 'session'; key: string; revokedAtOffset: number; advanceMs: number }
  | { kind: 'check'; sub: string; sid: string; iatOffset: number; advanceMs: number; previousFormat: boolean };

/** The rules written as plainly as possible: the full event history, no state, no deletion. */
function referenceIsRevoked(
  applied: Array<{ kind: 'user' | 'session'; key: string; revokedAtMs: number; appliedAt: number }>,
  check: { sub: string; sid: string; iatMs: number },
  now: number,
): boolean {
  return applied.some(
    (r) =>
      r.revokedAtMs + LIFETIME_MS > r.appliedAt &&
      r.revokedAtMs + LIFETIME_MS > now &&
      ((r.kind === 'session' && r.key === check.sid) || (r.kind === 'user' && r.key === check.sub && check.iatMs <= r.revokedAtMs)),
  );
}

const key = fc.constantFrom('a', 'b');
// Small ranges and boundary values make equal timestamps and exact expiries common, not rare.
const offset = fc.oneof(
  { arbitrary: fc.integer({ min: -2 * LIFETIME_MS, max: 2 * LIFETIME_MS }), weight: 1 },
  { arbitrary: fc.integer({ min: -2, max: 2 }), weight: 4 },
  { arbitrary: fc.constantFrom(-LIFETIME_MS - 1, -LIFETIME_MS, -LIFETIME_MS + 1), weight: 1 },
);
const advance = fc.oneof(
  { arbitrary: fc.constant(0), weight: 4 },
  { arbitrary: fc.integer({ min: 1, max: 2 }), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: LIFETIME_MS }), weight: 1 },
  { arbitrary: fc.constantFrom(LIFETIME_MS - 1, LIFETIME_MS), weight: 1 },
);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('user' as const, 'session' as const), key, revokedAtOffset: offset, advanceMs: advance }),
  fc.record({ kind: fc.constant('check' as const), sub: key, sid: key, iatOffset: offset, advanceMs: advance, previousFormat: fc.boolean() }),
);

describe('RevocationCache against a reference model', () => {
  it('decides like the reference for any sequence of events, duplicates and out-of-order included', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.boolean(), (ops, sweepEachStep) => {
        let now = T0;
        const cache = new RevocationCache({ accessTokenTtlSeconds: TTL_S, clockSkewSeconds: SKEW_S, clock: () => now });
        const applied: Array<{ kind: 'user' | 'session'; key: string; revokedAtMs: number; appliedAt: number }> = [];
        for (const o of ops) {
          now += o.advanceMs;
          if (sweepEachStep) cache.sweep();
          if (o.kind === 'check') {
            const check = { sub: o.sub, sid: o.sid, iatMs: now + o.iatOffset };
            // The claims as issued today (integer iat + iat_ms) or by the previous version (fractional iat).
            const times = o.previousFormat ? { iat: check.iatMs / 1000 } : accessTokenTimes(check.iatMs, TTL_S);
            expect(cache.isRevoked({ sub: check.sub, sid: check.sid, ...times })).toBe(referenceIsRevoked(applied, check, now));
          } else {
            const revokedAtMs = now + o.revokedAtOffset;
            if (o.kind === 'user') cache.revokeUser(o.key, revokedAtMs);
            else cache.revokeSession(o.key, revokedAtMs);
            applied.push({ kind: o.kind, key: o.key, revokedAtMs, appliedAt: now });
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('same-second revocation through real signed tokens', () => {
  // Issue and revocation fall in the same second; the token is signed with the claims the auth
  // service derives (accessTokenTimes, via signTestToken), then decided by a real verifier.
  const sameSecond = fc.record({
    second: fc.integer({ min: 1_700_000_000, max: 1_900_000_000 }),
    revokedAtMsInSecond: fc.integer({ min: 0, max: 999 }),
    issuedAtMsInSecond: fc.oneof(fc.integer({ min: 0, max: 999 }), fc.constantFrom(0, 999)),
    checkedAfterMs: fc.integer({ min: 0, max: TTL_S * 1000 - 1 }),
    previousFormat: fc.boolean(),
  });

  it('accepts a token issued after the watermark, even in the same second, and rejects one issued before or in the same ms', () => {
    fc.assert(
      fc.property(sameSecond, ({ second, revokedAtMsInSecond, issuedAtMsInSecond, checkedAfterMs, previousFormat }) => {
        const revokedAtMs = second * 1000 + revokedAtMsInSecond;
        const issuedAtMs = second * 1000 + issuedAtMsInSecond;
        const now = Math.max(revokedAtMs, issuedAtMs) + checkedAfterMs;
        const clock = () => now;
        const cache = new RevocationCache({ accessTokenTtlSeconds: TTL_S, clockSkewSeconds: SKEW_S, clock });
        cache.revokeUser('u1', revokedAtMs);
        const verifier = createVerifier({
          issuer: TEST_ISSUER,
          audience: TEST_AUDIENCE,
          keys: testJwks(),
          accessTokenTtlSeconds: TTL_S,
          clockSkewSeconds: SKEW_S,
          clock,
          revocations: cache,
        });
        const previous = { iat: issuedAtMs / 1000, iat_ms: undefined, exp: issuedAtMs / 1000 + TTL_S };
        const token = signTestToken({ sub: 'u1', ...(previousFormat ? previous : {}) }, { now: issuedAtMs, ttlSeconds: TTL_S });
        const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { iat: number; exp: number };
        if (!previousFormat) {
          // Whole seconds that no strict verifier sees as issued in the future.
          expect(payload.iat).toBe(second);
          expect(payload.exp).toBe(second + TTL_S);
        }
        expect(codeOf(() => verifier.verify(token))).toBe(issuedAtMs > revokedAtMs ? 'accepted' : 'TOKEN_REVOKED');
      }),
      { numRuns: 300 },
    );
  });
});
