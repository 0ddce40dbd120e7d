import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { NatsConnection } from '@veto/events';
import { connectTo, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { testJwks, TEST_AUDIENCE, TEST_ISSUER } from '@veto/auth-lib/testing';
import pino from 'pino';
import { waitFor } from '@veto/test-kit';
import { systemClock } from './clock';
import { loadConfig } from './config';
import { createTestBus } from './test-support/test-bus';
import { createTokenVerification } from './token-verification';

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

it('logs one debug line per applied revocation with the event id and its propagation lag', async () => {
  const bus = await createTestBus(nc);
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const config = loadConfig({ JWT_ISSUER: TEST_ISSUER, JWT_AUDIENCE: TEST_AUDIENCE });
  const { feed } = createTokenVerification({ nc, keys: testJwks(), config, clock: systemClock, logger, stream: bus.stream, subjectPrefix: bus.subjectPrefix });
  try {
    await feed.ready;
    const ban = await bus.publish('user.banned', { userId: randomUUID(), revokedAt: new Date().toISOString() });
    await waitFor('the ban to be applied', () => lines.some((line) => line.msg === 'revocation applied'));
    const applied = lines.filter((line) => line.msg === 'revocation applied');
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ level: 20, eventId: ban.id, type: 'user.banned', live: true, changed: true });
    expect(typeof applied[0]?.lagMs).toBe('number');
    expect(Math.abs((applied[0]?.appliedAt as number) - Date.now())).toBeLessThan(60_000);
  } finally {
    await feed.stop();
  }
});
