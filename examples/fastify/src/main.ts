import Fastify from 'fastify';
import { vetoFastify } from '@veto/auth-lib/fastify';

// The auth service's defaults: its JWKS on port 3001 and a local nats-server.
const port = Number(process.env.PORT ?? 3000);
const jwksUrl = process.env.JWKS_URL ?? 'http://127.0.0.1:3001/.well-known/jwks.json';
const natsServers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

async function main(): Promise<void> {
  const app = Fastify();
  // Resolves once the keys are loaded and NATS answers; the feed replays recent bans in the background.
  await app.register(vetoFastify, { jwksUrl, nats: { servers: natsServers } });
  app.get('/readyz', app.veto.readiness);
  app.get('/me', { preHandler: app.veto.requireAuth() }, async (request) => ({ userId: request.user?.sub, role: request.user?.role }));
  app.get('/admin', { preHandler: app.veto.requireRole('admin') }, async () => ({ admin: true }));

  await app.listen({ port, host: '127.0.0.1' });
  console.log(`fastify example listening on http://127.0.0.1:${port}`);
  // app.close() also stops the revocation feed and closes the NATS connection.
  process.once('SIGTERM', () => void app.close());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
