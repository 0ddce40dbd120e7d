import { generateKeyPairSync } from 'node:crypto';
import { createSigningKey, type SigningKey } from '../domain/signing-key';

/**
 * A PEM private key for tests: RSA of the given size (2048 by default), or an EC P-256 key.
 *
 * @example
 * writeFileSync(file, testKeyPem({ rsaBits: 1024 }));
 */
export function testKeyPem(kind: { rsaBits?: number; ec?: boolean } = {}): string {
  const pair = kind.ec ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: kind.rsaBits ?? 2048 });
  return pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

let shared: SigningKey | undefined;

/**
 * One RS256 signing key per test process (an RSA key takes a while to generate).
 *
 * @example
 * const key = testSigningKey();
 */
export function testSigningKey(): SigningKey {
  shared ??= createSigningKey(testKeyPem());
  return shared;
}
