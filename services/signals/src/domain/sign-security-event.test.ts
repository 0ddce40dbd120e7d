import { createPublicKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { testSigningKey } from '../test-support/test-keys';
import { claimsForVerification } from './security-event-claims';
import { signSecurityEvent } from './sign-security-event';

const key = testSigningKey();
const claims = claimsForVerification(
  { id: 'stream-1', aud: 'https://receiver.example.com', subjectFormat: 'iss_sub' },
  { id: 'verify-1', state: 'abc' },
  { issuer: 'https://signals.example.com', subjectIssuer: 'veto-auth', clock: () => Date.UTC(2026, 0, 15) },
);

describe('signSecurityEvent', () => {
  it('writes an explicitly typed RS256 header naming the key (RFC 8417 §2.3)', () => {
    const header = JSON.parse(Buffer.from(signSecurityEvent(claims, key).split('.')[0] ?? '', 'base64url').toString('utf8')) as unknown;
    expect(header).toEqual({ typ: 'secevent+jwt', alg: 'RS256', kid: key.kid });
  });

  it('signs exactly the claims, adding none, with a signature the public key verifies', () => {
    const token = signSecurityEvent(claims, key);
    const verified = jwt.verify(token, createPublicKey(key.privateKey), { algorithms: ['RS256'], ignoreExpiration: false });
    expect(verified).toEqual(claims);
  });

  it('gives the same token for the same claims (PKCS#1 v1.5 is deterministic)', () => {
    expect(signSecurityEvent(claims, key)).toBe(signSecurityEvent({ ...claims }, key));
  });
});
