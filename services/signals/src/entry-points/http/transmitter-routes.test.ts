import { expectProblem } from '@veto/test-kit';
import request from 'supertest';
import { createTestApp, TEST_ISSUER } from '../../test-support/test-app';

describe('GET /.well-known/ssf-configuration', () => {
  it('answers the Transmitter Configuration Metadata as application/json, field by field (SSF 1.0 §7.1)', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/.well-known/ssf-configuration').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(Object.keys(res.body as object).sort()).toEqual([
      'authorization_schemes',
      'configuration_endpoint',
      'default_subjects',
      'delivery_methods_supported',
      'issuer',
      'jwks_uri',
      'spec_version',
      'status_endpoint',
      'verification_endpoint',
    ]);
    expect(res.body).toMatchObject({
      spec_version: '1_0',
      issuer: TEST_ISSUER,
      jwks_uri: `${TEST_ISSUER}/jwks.json`,
      delivery_methods_supported: ['urn:ietf:rfc:8935', 'urn:ietf:rfc:8936'],
      configuration_endpoint: `${TEST_ISSUER}/ssf/stream`,
      status_endpoint: `${TEST_ISSUER}/ssf/status`,
      verification_endpoint: `${TEST_ISSUER}/ssf/verify`,
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
      default_subjects: 'ALL',
    });
  });

  it('serves the metadata of an issuer with a path after the well-known segment, and the endpoints under the issuer (SSF 1.0 §7.2)', async () => {
    const issuer = 'https://example.com/tenant1/';
    const { app } = createTestApp({ issuer });
    await request(app).get('/.well-known/ssf-configuration').expect(404);
    const res = await request(app).get('/.well-known/ssf-configuration/tenant1').expect(200);
    expect(res.body).toMatchObject({ issuer, jwks_uri: 'https://example.com/tenant1/jwks.json', configuration_endpoint: 'https://example.com/tenant1/ssf/stream' });
  });
});

describe('GET /jwks.json', () => {
  it('answers the public signing key only, with kid, alg RS256 and use sig', async () => {
    const { app, key } = createTestApp();
    const res = await request(app).get('/jwks.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.body as { keys: Record<string, unknown>[] };
    expect(body.keys).toHaveLength(1);
    expect(Object.keys(body.keys[0] ?? {}).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(body.keys[0]).toMatchObject({ kty: 'RSA', kid: key.kid, alg: 'RS256', use: 'sig', e: 'AQAB' });
    // No private member of an RSA JWK (RFC 7518 §6.3.2) ever leaves the service.
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth']) {
      expect(res.text).not.toContain(`"${member}"`);
    }
  });
});

describe('the stream management endpoints the metadata names', () => {
  it.each([
    ['POST', '/ssf/stream'],
    ['GET', '/ssf/stream'],
    ['DELETE', '/ssf/stream'],
    ['GET', '/ssf/status'],
    ['POST', '/ssf/status'],
    ['POST', '/ssf/verify'],
  ])('answer %s %s with 501 NOT_IMPLEMENTED_YET as problem+json', async (method, path) => {
    const { app } = createTestApp();
    const body = expectProblem(await request(app)[method.toLowerCase() as 'get'](path), 501, 'NOT_IMPLEMENTED_YET');
    expect(body).toMatchObject({ title: 'Not implemented yet', detail: `${method} ${path} is not served yet: stream management comes in a later release` });
  });
});

describe('anything else', () => {
  it('answers 404 NOT_FOUND as problem+json', async () => {
    const { app } = createTestApp();
    expectProblem(await request(app).post('/jwks.json'), 404, 'NOT_FOUND');
  });
});
