import fc from 'fast-check';
import { RevocationCache } from './revocation-cache';

const TTL_S = 60;
const SKEW_S = 5;
const LIFETIME_MS = (TTL_S + SKEW_S) * 1000;
const T0 = 1_763_892_000_000;

// Times are offsets from the clock when the step runs, so they stay near the live window.
type Op =
  | { kind: 'user' | 'session'; key: string; revokedAtOffset: number; advanceMs: number }
  | { kind: 'check'; sub: string; sid: string; iatOffset: number; advanceMs: number };

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
      ((r.kind === 'session' && r.key === check.sid) ||
        (r.kind === 'user' && r.key === check.sub && check.iatMs <= r.revokedAtMs)),
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
  fc.record({ kind: fc.constant('check' as const), sub: key, sid: key, iatOffset: offset, advanceMs: advance }),
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
            expect(cache.isRevoked({ sub: check.sub, sid: check.sid, iat: check.iatMs / 1000 })).toBe(referenceIsRevoked(applied, check, now));
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
