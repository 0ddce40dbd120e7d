import express from 'express';
import { vetoExpress } from '@veto/auth-lib/express';

// The auth service's defaults: its JWKS on port 3001 and a local nats-server.
const port = Number(process.env.PORT ?? 3000);
const jwksUrl = process.env.JWKS_URL ?? 'http://127.0.0.1:3001/.well-known/jwks.json';
const natsServers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

async function main(): Promise<void> {
  // Resolves once the keys are loaded and NATS answers; the feed replays recent bans in the background.
  const veto = await vetoExpress({ jwksUrl, nats: { servers: natsServers } });

  const app = express();
  app.use(veto.authenticate);
  app.get('/readyz', veto.readiness);
  app.get('/me', veto.requireAuth(), (req, res) => {
    res.json({ userId: req.auth?.sub, role: req.auth?.role });
  });
  app.get('/admin', veto.requireRole('admin'), (_req, res) => {
    res.json({ admin: true });
  });
  app.use(veto.errorHandler);

  const server = app.listen(port, () => console.log(`express example listening on port ${port}`));
  process.once('SIGTERM', () => {
    server.close();
    void veto.close();
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
