import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { IntrospectionGateError, introspectionGate } from './introspection-gate';

const SECRET = 'a client secret of some length';
let endpoint: Server;
let url: string;
const seen: { authorization?: string; body: Record<string, string> }[] = [];

beforeAll(async () => {
  // A stand-in with the RFC 7662 shape of the auth service's endpoint: the gate's contract is HTTP.
  const auth = express();
  auth.post('/introspect', express.urlencoded({ extended: false }), (req, res) => {
    seen.push({ authorization: req.get('authorization'), body: req.body as Record<string, string> });
    if (req.get('authorization') !== `Bearer ${SECRET}`) return void res.status(401).json({ code: 'INTROSPECTION_UNAUTHORIZED' });
    res.json({ active: req.body.token === 'good' });
  });
  endpoint = auth.listen(0, '127.0.0.1');
  await once(endpoint, 'listening');
  url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/introspect`;
});
afterAll(() => {
  endpoint.close();
  endpoint.closeAllConnections();
});

const codeOf: ErrorRequestHandler = (err, _req, res, _next) => {
  res.status(err instanceof IntrospectionGateError ? 499 : 500).json({ code: (err as { code?: string }).code });
};

function gatedApp(options: { url: string; clientSecret: string }) {
  return express()
    .use(introspectionGate(options))
    .get('/read', (_req, res) => void res.json({ ok: true }))
    .use(codeOf);
}

it('lets a request through when the auth service says the token is active, posting it as a form with the secret', async () => {
  await request(gatedApp({ url, clientSecret: SECRET }))
    .get('/read')
    .set('authorization', 'Bearer good')
    .expect(200, { ok: true });
  expect(seen.at(-1)).toEqual({ authorization: `Bearer ${SECRET}`, body: { token: 'good', token_type_hint: 'access_token' } });
});

it('refuses an inactive or missing token with INTROSPECTION_INACTIVE', async () => {
  const app = gatedApp({ url, clientSecret: SECRET });
  await request(app).get('/read').set('authorization', 'Bearer revoked').expect(499, { code: 'INTROSPECTION_INACTIVE' });
  await request(app).get('/read').expect(499, { code: 'INTROSPECTION_INACTIVE' });
});

it('refuses with INTROSPECTION_UNAVAILABLE when the auth service refuses the client or is unreachable', async () => {
  await request(gatedApp({ url, clientSecret: 'a wrong secret, long enough' }))
    .get('/read')
    .set('authorization', 'Bearer good')
    .expect(499, { code: 'INTROSPECTION_UNAVAILABLE' });
  await request(gatedApp({ url: 'http://127.0.0.1:1/introspect', clientSecret: SECRET }))
    .get('/read')
    .set('authorization', 'Bearer good')
    .expect(499, { code: 'INTROSPECTION_UNAVAILABLE' });
});
