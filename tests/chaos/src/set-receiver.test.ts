import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSetReceiver, type SetReceiver } from './set-receiver';

const ISSUER = 'http://transmitter.test';
const EVENT = 'https://schemas.openid.net/secevent/risc/event-type/account-disabled';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function signSet(key: KeyObject, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const input = `${encode({ typ: 'secevent+jwt', alg: 'RS256', kid: 'k1', ...header })}.${encode(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

const push = (receiver: SetReceiver, token: string) =>
  fetch(receiver.endpointUrl, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token }).then(({ status }) => status);

describe('startSetReceiver', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const claims = { iss: ISSUER, aud: 'receiver-1', jti: 'j1', txn: 'event-1', sub_id: { format: 'iss_sub', iss: 'veto-auth', sub: 'user-1' }, events: { [EVENT]: {} } };
  let jwks: Server;
  let receiver: SetReceiver;

  beforeAll(async () => {
    jwks = createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256' }] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    receiver = await startSetReceiver({ jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`, issuer: ISSUER });
    receiver.expectAudience('receiver-1');
  });

  afterAll(async () => {
    await receiver.close();
    await new Promise((resolve) => jwks.close(resolve));
  });

  it('records a verified SET by jti, subject and event type, and answers 202', async () => {
    expect(await push(receiver, signSet(privateKey, claims))).toBe(202);
    expect(receiver.received).toEqual([expect.objectContaining({ jti: 'j1', sub: 'user-1', eventType: EVENT, txn: 'event-1' })]);
  });

  it.each([
    ['another audience', signSet(privateKey, { ...claims, aud: 'someone-else' })],
    ['another issuer', signSet(privateKey, { ...claims, iss: 'http://evil.test' })],
    ['another typ', signSet(privateKey, claims, { typ: 'JWT' })],
    ['another key', signSet(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, claims)],
  ])('refuses a SET with %s with 400', async (_, token) => {
    const before = receiver.received.length;
    expect(await push(receiver, token)).toBe(400);
    expect(receiver.received).toHaveLength(before);
  });

  it('refuses connections while down and accepts SETs on the same URL once up again', async () => {
    await receiver.down();
    await expect(push(receiver, signSet(privateKey, claims))).rejects.toThrow();
    await receiver.up();
    expect(await push(receiver, signSet(privateKey, { ...claims, jti: 'j2' }))).toBe(202);
  });
});
