import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { ACCOUNT_DISABLED, rsaKeysOf, verifySecurityEvent } from './security-event-token';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }] };
const expected = { issuer: 'http://127.0.0.1:1/signals', audience: 'receiver-1' };
const claims = {
  iss: expected.issuer,
  jti: 'abc',
  iat: 1,
  aud: expected.audience,
  txn: 'event-1',
  toe: 1,
  sub_id: { format: 'iss_sub', iss: 'veto-auth', sub: 'user-1' },
  events: { [ACCOUNT_DISABLED]: {} },
};

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function signed(payload: unknown, options: { header?: Record<string, unknown>; key?: KeyObject } = {}): string {
  const input = `${encode({ typ: 'secevent+jwt', alg: 'RS256', kid: 'k1', ...options.header })}.${encode(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), options.key ?? privateKey).toString('base64url')}`;
}

describe('rsaKeysOf', () => {
  it('keeps the RS256 keys by kid and skips the others', () => {
    const keys = rsaKeysOf({ keys: [...jwks.keys, { kty: 'EC', kid: 'e', crv: 'P-256', x: 'x', y: 'y' }, { ...jwks.keys[0], kid: 'k2', alg: 'PS256' }] });
    expect([...keys.keys()]).toEqual(['k1']);
  });

  it('refuses a document without keys', () => {
    expect(() => rsaKeysOf({})).toThrow(TypeError);
  });
});

describe('verifySecurityEvent', () => {
  const keys = rsaKeysOf(jwks);

  it('returns the claims of a well-signed SET', () => {
    expect(verifySecurityEvent(signed(claims), keys, expected)).toEqual(claims);
  });

  it('accepts an aud array naming the receiver', () => {
    expect(verifySecurityEvent(signed({ ...claims, aud: ['x', expected.audience] }), keys, expected).txn).toBe('event-1');
  });

  it('refuses a signature by another key, and a changed payload', () => {
    expect(() => verifySecurityEvent(signed(claims, { key: other.privateKey }), keys, expected)).toThrow('signature');
    const [header, , signature] = signed(claims).split('.');
    expect(() => verifySecurityEvent(`${header}.${encode({ ...claims, txn: 'event-2' })}.${signature}`, keys, expected)).toThrow('signature');
  });

  it('refuses a wrong header', () => {
    expect(() => verifySecurityEvent(signed(claims, { header: { typ: 'JWT' } }), keys, expected)).toThrow('typ');
    expect(() => verifySecurityEvent(signed(claims, { header: { alg: 'none' } }), keys, expected)).toThrow('alg');
    expect(() => verifySecurityEvent(signed(claims, { header: { kid: 'k9' } }), keys, expected)).toThrow('kid');
  });

  it('refuses a SET for another issuer or receiver, or without its claims', () => {
    expect(() => verifySecurityEvent(signed({ ...claims, iss: 'other' }), keys, expected)).toThrow('iss');
    expect(() => verifySecurityEvent(signed({ ...claims, aud: 'receiver-2' }), keys, expected)).toThrow('aud');
    expect(() => verifySecurityEvent(signed({ ...claims, txn: undefined }), keys, expected)).toThrow('txn');
    expect(() => verifySecurityEvent(signed({ ...claims, events: { a: {}, b: {} } }), keys, expected)).toThrow('one event');
  });

  it('refuses what is not a compact JWS', () => {
    expect(() => verifySecurityEvent('a.b', keys, expected)).toThrow('three parts');
    expect(() => verifySecurityEvent('e30.!!.x', keys, expected)).toThrow();
  });
});
