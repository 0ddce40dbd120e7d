import { randomBytes } from 'node:crypto';
import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ReplayResult } from '@veto/events';
import { connectTo, startReplayedBus, type NatsServerHandle } from '@veto/events/testing';
import { TokenError, createRevocationFeed, createVerifier, RevocationCache, type TokenErrorCode } from '@veto/auth-lib';
import { createTestClock, signTestToken, TEST_AUDIENCE, TEST_ISSUER, testJwks } from '@veto/auth-lib/testing';
import { loadFixtureExpectations, type FixtureExpectations } from './fixture-expectations';

/** The folder holding `<name>.events.jsonl` and `<name>.expect.json` pairs. */
export const FIXTURES_DIR = join(__dirname, 'fixtures');

/** One decision: what the fixture expects and what the verifier answered. */
export interface CheckOutcome {
  name: string;
  expected: 'accept' | TokenErrorCode;
  actual: 'accept' | TokenErrorCode;
}

/** Everything a replay produced, for assertions and for reporting. */
export interface ReplayOutcome {
  checks: CheckOutcome[];
  /** What publishing the archive into the fresh stream did. */
  published: ReplayResult;
  feed: { applied: number; malformed: number };
  cacheSize: number;
  /** Wall-clock milliseconds spent publishing, and from starting the feed until it was ready. */
  publishMs: number;
  readyMs: number;
}

/**
 * Lists the fixture names in {@link FIXTURES_DIR}: every `<name>.expect.json` (each needs its events file).
 * Synchronous because `describe.each` needs the list while jest collects the tests.
 *
 * @example
 * describe.each(listFixtures())('fixture %s', ...);
 */
export function listFixtures(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((file) => file.endsWith('.expect.json'))
    .map((file) => file.slice(0, -'.expect.json'.length))
    .sort();
}

/**
 * Replays the fixture `<name>` (see README.md) on a test nats-server and checks every expected decision.
 *
 * @param name - the fixture's base name in {@link FIXTURES_DIR}
 * @param options - `server`: a handle from `startNatsServer`
 * @returns the outcome of every check, replay counters and timings
 * @throws Error when the fixture files are unreadable; EventError when publishing or the feed fails
 * @example
 * const outcome = await replayFixture('ban', { server });
 * expect(outcome.checks.map((c) => c.actual)).toEqual(outcome.checks.map((c) => c.expected));
 */
export async function replayFixture(name: string, options: { server: NatsServerHandle }): Promise<ReplayOutcome> {
  const expectations = await loadFixtureExpectations(join(FIXTURES_DIR, `${name}.expect.json`));
  return replayArchive(createReadStream(join(FIXTURES_DIR, `${name}.events.jsonl`)), expectations, options);
}

/**
 * The core of {@link replayFixture} for an archive that is not a file (the generated burst):
 * publishes it into a fresh stream, starts a RevocationFeed from scratch on the injected clock,
 * waits until it is ready, then asks a real verifier about real signed tokens.
 *
 * @param archive - JSONL text, as `replayStream` reads it
 * @param expectations - the parsed expectations
 * @param options - `server`, `maxInFlight` publishes (default 1000), and each publish's `timeoutMs`
 * @throws EventError when publishing or the feed fails
 * @example
 * await replayArchive(Readable.from(lines()), expectations, { server });
 */
export async function replayArchive(
  archive: Readable,
  expectations: FixtureExpectations,
  options: { server: NatsServerHandle; maxInFlight?: number; timeoutMs?: number },
): Promise<ReplayOutcome> {
  const { accessTokenTtlSeconds, clockSkewSeconds } = expectations;
  const tag = randomBytes(4).toString('hex');
  // One server for every fixture of a suite, so each replay gets a stream and prefix of its own.
  const publishStarted = performance.now();
  const bus = await startReplayedBus({
    fixture: archive,
    server: options.server,
    stream: `REPLAY_${tag}`,
    subjectPrefix: `r${tag}.auth`,
    deadLetterStream: `REPLAY_DLQ_${tag}`,
    deadLetterPrefix: `r${tag}.dlq`,
    maxInFlight: options.maxInFlight ?? 1000,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const publishMs = performance.now() - publishStarted;
  const nc = await connectTo(bus.server);
  try {
    // One clock for feed, cache and verifier. It reads the fixture's `now` during the replay and
    // each check's `at` during that check. The fixtures live in the past (early 2026) while the
    // stream stored the messages just now, so the feed's start, `now - (ttl + skew)`, lies before
    // every stored message and the whole fixture is replayed: what decides "too old to matter" is
    // then the cache's expiry rule (`revokedAt + ttl + skew` against this clock), not JetStream's
    // start time. A fixture `now` later than the real time would skip the replay instead.
    const clock = createTestClock(expectations.now);
    const cache = new RevocationCache({ accessTokenTtlSeconds, clockSkewSeconds, clock });
    const readyStarted = performance.now();
    const feed = createRevocationFeed({ nc, cache, accessTokenTtlSeconds, clockSkewSeconds, clock, stream: bus.stream, subjectPrefix: bus.subjectPrefix });
    try {
      await feed.ready;
      const readyMs = performance.now() - readyStarted;
      // Read before the checks: a lookup at a later check time drops the entries expired by then.
      const cacheSize = cache.size;
      const verifier = createVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: testJwks(), clockSkewSeconds, accessTokenTtlSeconds, clock, revocations: cache });
      const checks = expectations.checks.map((check): CheckOutcome => {
        clock.set(check.at ?? expectations.now);
        const token = signTestToken({ sub: check.token.sub, sid: check.token.sid }, { now: check.token.iat, ttlSeconds: accessTokenTtlSeconds });
        return { name: check.name, expected: check.expect, actual: decide(() => verifier.verify(token)) };
      });
      return { checks, published: bus.published, feed: { applied: feed.stats.applied, malformed: feed.stats.malformed }, cacheSize, publishMs, readyMs };
    } finally {
      await feed.stop();
    }
  } finally {
    await nc.close();
    await bus.close();
  }
}

function decide(verify: () => unknown): 'accept' | TokenErrorCode {
  try {
    verify();
    return 'accept';
  } catch (error) {
    if (error instanceof TokenError) return error.code;
    throw error;
  }
}
