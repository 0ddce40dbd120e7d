import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { createSigningKeys, splitPemBlocks } from './signing-keys';

function p256(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

describe('createSigningKeys', () => {
  it('publishes the current key as an ES256 signing JWK whose kid is its RFC 7638 thumbprint', () => {
    const { privatePem } = p256();
    const keys = createSigningKeys({ privateKeyPem: privatePem });
    expect(keys.jwks.keys).toHaveLength(1);
    const [jwk] = keys.jwks.keys;
    expect(jwk).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: keys.kid, alg: 'ES256', use: 'sig' });
    const thumbprint = createHash('sha256').update(`{"crv":"P-256","kty":"EC","x":"${jwk?.x}","y":"${jwk?.y}"}`).digest('base64url');
    expect(keys.kid).toBe(thumbprint);
    expect(keys.publicKeys.get(keys.kid)?.equals(keys.publicKey)).toBe(true);
  });

  it('keeps publishing previous public keys after the current one, once each', () => {
    const current = p256();
    const previous = p256();
    const keys = createSigningKeys({ privateKeyPem: current.privatePem, previousPublicKeyPems: [previous.publicPem, previous.publicPem, current.publicPem] });
    expect(keys.jwks.keys.map((jwk) => jwk.kid)).toEqual([keys.kid, expect.any(String)]);
    const previousKid = keys.jwks.keys[1]?.kid ?? '';
    expect(keys.publicKeys.get(previousKid)?.equals(createPublicKey(previous.publicPem))).toBe(true);
  });

  it('derives the same kid from the same key on every start', () => {
    const { privatePem } = p256();
    expect(createSigningKeys({ privateKeyPem: privatePem }).kid).toBe(createSigningKeys({ privateKeyPem: privatePem }).kid);
  });

  it('rejects a key that is not P-256', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => createSigningKeys({ privateKeyPem: rsa })).toThrow(TypeError);
    expect(() => createSigningKeys({ privateKeyPem: p384 })).toThrow(TypeError);
  });

  it('rejects text that is not a PEM key', () => {
    expect(() => createSigningKeys({ privateKeyPem: 'not a key' })).toThrow(TypeError);
    expect(() => createSigningKeys({ privateKeyPem: p256().privatePem, previousPublicKeyPems: ['garbage'] })).toThrow(TypeError);
  });
});

describe('splitPemBlocks', () => {
  it('splits concatenated PEM blocks and ignores text around them', () => {
    const a = p256().publicPem.trim();
    const b = p256().publicPem.trim();
    expect(splitPemBlocks(`# rotated 2026-01\n${a}\n\n${b}\n`)).toEqual([a, b]);
    expect(splitPemBlocks('')).toEqual([]);
  });
});
