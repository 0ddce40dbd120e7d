import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { testKeyPem, testSigningKey } from '../test-support/test-keys';
import { createSigningKey } from './signing-key';

describe('createSigningKey', () => {
  it('publishes the public half only, as an RS256 signing key named by its RFC 7638 thumbprint', () => {
    const key = testSigningKey();
    expect(key.jwks.keys).toHaveLength(1);
    const [jwk] = key.jwks.keys;
    expect(Object.keys(jwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: key.kid });
    const expected = createHash('sha256').update(`{"e":"${jwk.e}","kty":"RSA","n":"${jwk.n}"}`).digest('base64url');
    expect(key.kid).toBe(expected);
    expect(createPublicKey({ key: { ...jwk }, format: 'jwk' }).export({ format: 'jwk' })).toEqual(createPublicKey(key.privateKey).export({ format: 'jwk' }));
  });

  it('accepts a key larger than 2048 bits', () => {
    expect(createSigningKey(testKeyPem({ rsaBits: 3072 })).privateKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
  });

  it.each([
    ['an RSA key of 2047 bits', () => testKeyPem({ rsaBits: 2047 }), /2047 bits/],
    ['an RSA key of 1024 bits', () => testKeyPem({ rsaBits: 1024 }), /1024 bits/],
    ['an EC key', () => testKeyPem({ ec: true }), /RSA key is required.*ec/],
    ['an RSA-PSS key', () => generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), /rsa-pss/],
    ['a public key', () => createPublicKey(testSigningKey().privateKey).export({ type: 'spki', format: 'pem' }).toString(), /not a readable PEM private key/],
    ['text that is no key', () => 'hello', /not a readable PEM private key/],
  ])('refuses %s', (_name, pem, message) => {
    expect(() => createSigningKey(pem())).toThrow(message);
  });
});
