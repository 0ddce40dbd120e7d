import { randomBytes } from 'node:crypto';
import { createEvent, ensureStreams, EventPublisher, type NatsConnection } from '@veto/events';
import { connectTo, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { RevocationCache } from './revocation-cache';
import { createRevocationFeed, type RevocationFeed } from './revocation-feed';
import { signTestToken, TEST_AUDIENCE, TEST_ISSUER, testJwks } from './testing';
import { createVerifier } from './verifier';
import { codeOf } from './test-support/code-of';

// A fresh instance must replay `ttl + skew`: a token issued just before a ban is still accepted
// for `skew` after its expiry, so a ban older than `ttl` (but not `ttl + skew`) still matters.
const TTL_S = 900;
const SKEW_S = 30;

let server: NatsServerHandle;
let nc: NatsConnection;
const feeds: RevocationFeed[] = [];

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectTo(server);
});
afterEach(async () => {
  await Promise.all(feeds.splice(0).map((feed) => feed.stop()));
});
afterAll(async () => {
  await nc.close();
  await server.cleanup();
});

it('replays a ban stored between ttl + skew and ttl ago, so a fresh feed rejects the banned user’s still-accepted token', async () => {
  const tag = randomBytes(4).toString('hex');
  const names = { stream: `AUTH_${tag}`, subjectPrefix: `t${tag}.auth` };
  await ensureStreams(nc, { name: names.stream, subjectPrefix: names.subjectPrefix, deadLetterStream: `DLQ_${tag}`, deadLetterPrefix: `t${tag}.dlq` });

  const bannedAt = Date.now();
  const token = signTestToken({ sub: 'banned' }, { now: bannedAt - 1000, ttlSeconds: TTL_S });
  await new EventPublisher(nc, { subjectPrefix: names.subjectPrefix }).publish(
    createEvent('user.banned', { userId: 'banned', revokedAt: new Date(bannedAt).toISOString() }, { source: 'replay-window-test' }),
  );

  // The feed's "now" lies half a skew past bannedAt + ttl: the ban's stream time is older than
  // `ttl` but within `ttl + skew`, and the token is past `exp` but within the skew, so still valid.
  const now = bannedAt + (TTL_S + SKEW_S / 2) * 1000;
  const clock = () => now;
  const instance = () => {
    const cache = new RevocationCache({ accessTokenTtlSeconds: TTL_S, clockSkewSeconds: SKEW_S, clock });
    const feed = createRevocationFeed({ nc, cache, accessTokenTtlSeconds: TTL_S, clockSkewSeconds: SKEW_S, clock, ...names });
    feeds.push(feed);
    const verifier = createVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      keys: testJwks(),
      clock,
      clockSkewSeconds: SKEW_S,
      revocations: cache,
      isRevocationAvailable: feed.isRevocationAvailable,
    });
    return { feed, verifier };
  };

  const fresh = instance();
  await fresh.feed.ready;
  expect(fresh.feed.stats.applied).toBe(1);
  expect(codeOf(() => fresh.verifier.verify(token))).toBe('TOKEN_REVOKED');
  // The same token of another user is accepted at that time: only the replayed ban refuses it.
  expect(codeOf(() => fresh.verifier.verify(signTestToken({ sub: 'other' }, { now: bannedAt - 1000, ttlSeconds: TTL_S })))).toBe('accepted');
});
