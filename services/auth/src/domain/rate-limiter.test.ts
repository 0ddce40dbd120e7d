import fc from 'fast-check';
import { createRateLimiter } from './rate-limiter';

function frozenClock(startMs = 1_000_000) {
  let now = startMs;
  const clock = () => now;
  return { clock, advance: (ms: number) => (now += ms) };
}

describe('createRateLimiter', () => {
  it('allows up to the limit of failures, then blocks with the seconds left in the window', () => {
    const { clock, advance } = frozenClock();
    const limiter = createRateLimiter({ limit: 3, windowSeconds: 60, clock });
    for (let i = 0; i < 3; i += 1) {
      expect(limiter.check('k')).toEqual({ allowed: true });
      limiter.recordFailure('k');
    }
    expect(limiter.check('k')).toEqual({ allowed: false, retryAfterSeconds: 60 });
    advance(59_001);
    expect(limiter.check('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('allows again once the window has passed', () => {
    const { clock, advance } = frozenClock();
    const limiter = createRateLimiter({ limit: 1, windowSeconds: 10, clock });
    limiter.recordFailure('k');
    expect(limiter.check('k').allowed).toBe(false);
    advance(10_000);
    expect(limiter.check('k')).toEqual({ allowed: true });
    limiter.recordFailure('k');
    expect(limiter.check('k')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('counts keys independently', () => {
    const { clock } = frozenClock();
    const limiter = createRateLimiter({ limit: 1, windowSeconds: 10, clock });
    limiter.recordFailure('a');
    expect(limiter.check('a').allowed).toBe(false);
    expect(limiter.check('b').allowed).toBe(true);
  });

  it('forgets the least recently used key beyond maxKeys', () => {
    const { clock } = frozenClock();
    const limiter = createRateLimiter({ limit: 1, windowSeconds: 10, clock, maxKeys: 2 });
    limiter.recordFailure('a');
    limiter.recordFailure('b');
    limiter.recordFailure('c');
    expect(limiter.check('a').allowed).toBe(true);
    expect(limiter.check('c').allowed).toBe(false);
  });

  it.each([
    { limit: 0, windowSeconds: 10 },
    { limit: 1.5, windowSeconds: 10 },
    { limit: 1, windowSeconds: 0 },
    { limit: 1, windowSeconds: 10, maxKeys: -1 },
  ])('throws a TypeError on bad options %o', (options) => {
    expect(() => createRateLimiter({ ...options, clock: () => 0 })).toThrow(TypeError);
  });

  it('never admits more than limit failures per window, a window starting at its first failure', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 60 }),
        (limit, windowSeconds, gapsMs) => {
          const { clock, advance } = frozenClock(0);
          const limiter = createRateLimiter({ limit, windowSeconds, clock });
          const windowMs = windowSeconds * 1000;
          const admitted: number[] = [];
          for (const gap of gapsMs) {
            advance(gap);
            const decision = limiter.check('k');
            if (decision.allowed) {
              admitted.push(clock());
              limiter.recordFailure('k');
            } else {
              expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(1);
              expect(decision.retryAfterSeconds).toBeLessThanOrEqual(windowSeconds);
            }
          }
          let index = 0;
          while (index < admitted.length) {
            const start = admitted[index] ?? 0;
            const inWindow = admitted.filter((at) => at >= start && at < start + windowMs).length;
            expect(inWindow).toBeLessThanOrEqual(limit);
            index += inWindow;
          }
        },
      ),
    );
  });

  it('admits again exactly when the Retry-After it announced has passed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 119_999 }), (windowSeconds, intoWindowMs) => {
        fc.pre(intoWindowMs < windowSeconds * 1000);
        const { clock, advance } = frozenClock(0);
        const limiter = createRateLimiter({ limit: 1, windowSeconds, clock });
        limiter.recordFailure('k');
        advance(intoWindowMs);
        const decision = limiter.check('k');
        if (decision.allowed) {
          throw new Error('blocked key was admitted inside its window');
        }
        advance(decision.retryAfterSeconds * 1000);
        expect(limiter.check('k').allowed).toBe(true);
      }),
    );
  });
});
