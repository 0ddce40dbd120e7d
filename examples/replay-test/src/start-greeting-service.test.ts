import { join } from 'node:path';
import { eventually, startReplayedBus, type ReplayedBus } from '@veto/events/testing';
import { createTestClock, signTestToken, TEST_AUDIENCE, TEST_ISSUER, testJwks } from '@veto/auth-lib/testing';
import { startGreetingService, type GreetingService } from './start-greeting-service';

const FIXTURES = join(__dirname, '..', 'fixtures');
// The recording's time: in the past, so the service's feed replays all of it (see the README).
const clock = createTestClock('2026-01-15T12:00:00.000Z');

let bus: ReplayedBus;
let service: GreetingService;
beforeAll(async () => {
  bus = await startReplayedBus({ fixture: join(FIXTURES, 'incident.jsonl') });
  service = await startGreetingService({
    natsUrl: bus.servers,
    stream: bus.stream,
    subjectPrefix: bus.subjectPrefix,
    keys: testJwks(),
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    accessTokenTtlSeconds: 900,
    clockSkewSeconds: 30,
    clock,
  });
});
afterAll(async () => {
  await service?.stop();
  await bus?.close();
});

async function hello(user: { sub: string; sid: string; issuedAt: string }): Promise<{ status: number; type: string | null; body: { hello?: string; code?: string } }> {
  const token = signTestToken({ sub: user.sub, sid: user.sid }, { now: Date.parse(user.issuedAt) });
  const res = await fetch(`${service.url}/hello`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as { hello?: string; code?: string } };
}

it('replays the whole recording before it serves', () => {
  expect(bus.published).toMatchObject({ lines: 2, stored: 2, duplicates: 0 });
  expect(service.feed.stats.applied).toBe(2);
});

it("refuses a banned user's token issued before the ban with TOKEN_REVOKED", async () => {
  const res = await hello({ sub: 'u-mallory', sid: 's-mallory', issuedAt: '2026-01-15T11:57:00.000Z' });
  expect(res).toEqual({ status: 401, type: 'application/problem+json', body: expect.objectContaining({ code: 'TOKEN_REVOKED' }) });
});

it('refuses the signed-out session and accepts the same user on another session', async () => {
  expect((await hello({ sub: 'u-bob', sid: 's-bob-laptop', issuedAt: '2026-01-15T11:55:00.000Z' })).body.code).toBe('TOKEN_REVOKED');
  expect(await hello({ sub: 'u-bob', sid: 's-bob-phone', issuedAt: '2026-01-15T11:55:00.000Z' })).toMatchObject({ status: 200, body: { hello: 'u-bob' } });
});

it('accepts a user the recording never mentions', async () => {
  expect(await hello({ sub: 'u-alice', sid: 's-alice', issuedAt: '2026-01-15T11:59:30.000Z' })).toMatchObject({ status: 200, body: { hello: 'u-alice' } });
});

it('enforces a ban published while the service runs', async () => {
  const published = await bus.replay(join(FIXTURES, 'late-ban.jsonl'));
  expect(published.stored).toBe(1);
  // The feed applies a live event asynchronously: wait for it (bounded), never for a fixed time.
  await eventually(async () => {
    if (service.feed.stats.applied < 3) throw new Error(`applied ${service.feed.stats.applied} of 3 events`);
  });
  clock.set('2026-01-15T12:01:30.000Z');
  expect((await hello({ sub: 'u-bob', sid: 's-bob-phone', issuedAt: '2026-01-15T12:00:30.000Z' })).body.code).toBe('TOKEN_REVOKED');
  expect(await hello({ sub: 'u-bob', sid: 's-bob-phone', issuedAt: '2026-01-15T12:01:01.000Z' })).toMatchObject({ status: 200 });
});
