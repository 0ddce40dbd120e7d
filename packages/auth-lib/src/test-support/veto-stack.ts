import { randomBytes } from 'node:crypto';
import { createEvent, ensureStreams, EventPublisher, type NatsConnection } from '@veto/events';
import { connectTo, type NatsServerHandle } from '@veto/events/testing';
import { startJwksServer, TEST_AUDIENCE, TEST_ISSUER, testJwks, type JwksServer } from '../testing';
import type { VetoAuthOptions } from '../veto-auth';

/** What a one-call adapter test needs around the service: private stream names, a JWKS endpoint, a publisher. */
export interface VetoStack {
  /** Options for the one call: this stack's JWKS, NATS, stream and the test issuer and audience. */
  readonly options: VetoAuthOptions;
  /** Creates the event streams, as the auth service does at start. */
  createStreams(): Promise<void>;
  /** Publishes a `user.banned` event for the user, revoked now. */
  ban(userId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a real JWKS server and a publisher on private stream names of a running nats-server;
 * the streams are created only when asked, so a test can watch a feed that is not caught up.
 *
 * @param server - from `startNatsServer`
 * @example
 * const stack = await startVetoStack(server);
 * const veto = await vetoExpress(stack.options);
 */
export async function startVetoStack(server: NatsServerHandle): Promise<VetoStack> {
  const tag = randomBytes(4).toString('hex');
  const names = { stream: `AUTH_${tag}`, subjectPrefix: `t${tag}.auth` };
  const jwks: JwksServer = await startJwksServer(testJwks());
  const pubNc: NatsConnection = await connectTo(server);
  const publisher = new EventPublisher(pubNc, { subjectPrefix: names.subjectPrefix });
  return {
    options: { jwksUrl: jwks.url, nats: { servers: server.url }, issuer: TEST_ISSUER, audience: TEST_AUDIENCE, ...names },
    async createStreams() {
      await ensureStreams(pubNc, { name: names.stream, subjectPrefix: names.subjectPrefix, deadLetterStream: `DLQ_${tag}`, deadLetterPrefix: `t${tag}.dlq` });
    },
    async ban(userId) {
      await publisher.publish(createEvent('user.banned', { userId, revokedAt: new Date().toISOString() }, { source: 'auth-lib-test' }));
    },
    async close() {
      await pubNc.close();
      await jwks.close();
    },
  };
}
