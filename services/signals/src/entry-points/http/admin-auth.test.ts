import { randomBytes, randomUUID } from 'node:crypto';
import { signTestToken, TEST_AUDIENCE, TEST_ISSUER, testJwks } from '@veto/auth-lib/testing';
import { createEvent, ensureStreams, EventPublisher, type NatsConnection } from '@veto/events';
import { connectTo, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { waitFor } from '@veto/test-kit';
import pino from 'pino';
import { systemClock } from '../../clock';
import { loadConfig } from '../../config';
import { createAdminAuth } from './admin-auth';

let server: NatsServerHandle;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectTo(server);
});
afterAll(async () => {
  await nc.close();
  await server.cleanup();
});

it("refuses an admin's token once the auth service publishes the admin's ban (TOKEN_REVOKED)", async () => {
  const tag = randomBytes(4).toString('hex');
  const streams = { stream: `AUTH_${tag}`, subjectPrefix: `t${tag}.auth` };
  await ensureStreams(nc, { name: streams.stream, subjectPrefix: streams.subjectPrefix, deadLetterStream: `DLQ_${tag}`, deadLetterPrefix: `t${tag}.dlq` });
  const config = loadConfig({ SIGNALS_ISSUER: 'https://signals.example.com', JWT_ISSUER: TEST_ISSUER, JWT_AUDIENCE: TEST_AUDIENCE });
  const { verifier, feed } = createAdminAuth({ nc, keys: testJwks(), config, clock: systemClock, logger: pino({ level: 'silent' }), ...streams });
  try {
    await feed.ready;
    const adminId = randomUUID();
    const token = signTestToken({ sub: adminId, role: 'admin' }, { now: Date.now() - 2000 });
    expect(verifier.verify(token)).toMatchObject({ sub: adminId, role: 'admin' });
    const ban = createEvent('user.banned', { userId: adminId, revokedAt: new Date().toISOString() }, { source: 'auth' });
    await new EventPublisher(nc, { subjectPrefix: streams.subjectPrefix }).publish(ban);
    await waitFor('the ban to reach the cache', () => feed.stats.applied > 0);
    expect(() => verifier.verify(token)).toThrow(expect.objectContaining({ code: 'TOKEN_REVOKED' }));
  } finally {
    await feed.stop();
  }
});
