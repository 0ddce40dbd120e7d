import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SigningKey } from '../domain/signing-key';

/** One POST the receiver got. */
export interface ReceiverAttempt {
  readonly jti: string | undefined;
  /** `null`: not answered (the receiver was told to hang). */
  readonly status: number | null;
  readonly authorization: string | null;
  readonly contentType: string | null;
  readonly accept: string | null;
}

/** The RFC 8935 receiver process of `rfc8935-receiver.mjs`, and the JWKS server it verifies against. */
export interface TestReceiver {
  /** Where the transmitter pushes: `http://127.0.0.1:<port>/events`. */
  readonly endpointUrl: string;
  /** Makes the receiver answer every SET with this (`{ hang: true }`: never answer), or verify again (`undefined`). */
  fail(failure: { status: number; body?: unknown } | { hang: true } | undefined): Promise<void>;
  /** Every POST in arrival order, and the verified SETs' claims it accepted. */
  log(): Promise<{ attempts: ReceiverAttempt[]; accepted: Record<string, unknown>[] }>;
  stop(): Promise<void>;
}

/**
 * Starts a receiver that verifies pushed SETs with jose, in its own process, against the key's
 * JWKS served over HTTP.
 *
 * @param options - the signing key, issuer and audience the receiver expects, and the Authorization it requires
 * @example
 * const receiver = await startTestReceiver({ key, issuer: TEST_ISSUER, audience: TEST_AUDIENCE });
 */
export async function startTestReceiver(options: { key: SigningKey; issuer: string; audience: string; authorization?: string }): Promise<TestReceiver> {
  const jwksServer: Server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(options.key.jwks));
  });
  jwksServer.listen(0, '127.0.0.1');
  await once(jwksServer, 'listening');
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
  const args = [join(__dirname, 'rfc8935-receiver.mjs'), jwksUrl, options.issuer, options.audience, ...(options.authorization === undefined ? [] : [options.authorization])];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const base = `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`;
  return {
    endpointUrl: `${base}/events`,
    fail: async (failure) => {
      await fetch(`${base}/control`, { method: 'POST', body: JSON.stringify({ failure: failure ?? null }) });
    },
    log: async () => (await (await fetch(`${base}/log`)).json()) as { attempts: ReceiverAttempt[]; accepted: Record<string, unknown>[] },
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
      jwksServer.close();
      await once(jwksServer, 'close');
    },
  };
}
