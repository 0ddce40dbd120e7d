import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createEvent, type VetoEvent } from '@veto/events';
import jwt from 'jsonwebtoken';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createApp } from '../app';
import { claimsForEvent, claimsForStreamUpdate, claimsForVerification, type SecurityEventContext } from '../domain/security-event-claims';
import { signSecurityEvent } from '../domain/sign-security-event';
import { createSigningKey } from '../domain/signing-key';
import { testKeyPem, testSigningKey } from '../test-support/test-keys';

// A receiver nobody here wrote must accept Veto's SETs: jose (panva), in its own process, finds the
// JWKS through the transmitter's metadata served over real HTTP and checks typ, alg, iss and aud.
const AUDIENCE = 'https://receiver.example.com';
const key = testSigningKey();
let server: Server;
let issuer: string;

beforeAll(async () => {
  // The issuer is the address the server got, so the metadata's jwks_uri points back at it.
  server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  issuer = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  server.on('request', createApp({ issuer, key, logger: pino({ level: 'silent' }), metricsRegistry: new Registry() }));
});
afterAll(async () => {
  server.close();
  await once(server, 'close');
});

interface Verdict {
  header?: Record<string, unknown>;
  payload?: Record<string, unknown>;
  error?: string;
}

/** Runs jose-verify-set.mjs on the tokens, one verdict per token. */
async function verifyWithJose(tokens: string[]): Promise<Verdict[]> {
  const child = spawn(process.execPath, [join(__dirname, 'jose-verify-set.mjs'), `${issuer}/.well-known/ssf-configuration`, AUDIENCE], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(`${tokens.join('\n')}\n`);
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`jose-verify-set.mjs exited ${String(code)}: ${stderr}`);
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Verdict);
}

function context(): SecurityEventContext {
  return { issuer, subjectIssuer: 'veto-auth', clock: Date.now };
}

const stream = { id: 'stream-1', aud: AUDIENCE, subjectFormat: 'iss_sub' } as const;
const at = new Date();
const events: VetoEvent[] = [
  createEvent('user.banned', { userId: 'u1', reason: 'spam', revokedAt: at.toISOString() }, { source: 'auth', occurredAt: at }),
  createEvent('user.unbanned', { userId: 'u1' }, { source: 'auth', occurredAt: at }),
  createEvent('user.sessions_revoked', { userId: 'u1', revokedAt: at.toISOString() }, { source: 'auth', occurredAt: at }),
  createEvent('session.revoked', { userId: 'u1', sessionId: 's1', revokedAt: at.toISOString() }, { source: 'auth', occurredAt: at }),
];

describe('Security Event Tokens verified by jose against the JWKS served over HTTP', () => {
  it('accepts the SET of every event type, of a verification and of a stream update, with typ, alg, kid and every claim intact', async () => {
    const claims = [
      ...events.map((event) => claimsForEvent(event, stream, context())),
      claimsForVerification(stream, { id: 'verify-1', state: 'xyz' }, context()),
      claimsForStreamUpdate(stream, { id: 'change-1', status: 'disabled' }, context()),
    ];
    const verdicts = await verifyWithJose(claims.map((each) => signSecurityEvent(each, key)));
    expect(verdicts).toEqual(claims.map((each) => ({ header: { typ: 'secevent+jwt', alg: 'RS256', kid: key.kid }, payload: JSON.parse(JSON.stringify(each)) as unknown })));
  });

  it('refuses a token of the same key that is not typed secevent+jwt, one for another audience, and one signed by another key', async () => {
    const claims = claimsForEvent(events[0]!, stream, context());
    const untyped = jwt.sign({ ...claims }, key.privateKey, { algorithm: 'RS256', keyid: key.kid });
    const otherAudience = signSecurityEvent({ ...claims, aud: 'https://someone-else.example.com' }, key);
    const stranger = createSigningKey(testKeyPem());
    const forged = signSecurityEvent(claims, { ...stranger, kid: key.kid });
    expect(await verifyWithJose([untyped, otherAudience, forged])).toEqual([
      { error: 'ERR_JWT_CLAIM_VALIDATION_FAILED' },
      { error: 'ERR_JWT_CLAIM_VALIDATION_FAILED' },
      { error: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
    ]);
  });
});
