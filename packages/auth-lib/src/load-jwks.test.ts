import { isTokenError } from './errors';
import { loadJwks } from './load-jwks';
import { startJwksServer, type JwksServer } from './test-support/jwks-server';
import { testJwks } from './testing';

describe('loadJwks', () => {
  let server: JwksServer;
  beforeEach(async () => {
    server = await startJwksServer(testJwks());
  });
  afterEach(() => server.close());

  it('fetches and validates a JWKS', async () => {
    await expect(loadJwks(server.url)).resolves.toEqual(testJwks());
  });

  it('retries while the endpoint fails and succeeds once it answers', async () => {
    let failures = 2;
    server.respond = () => (failures-- > 0 ? { status: 503, body: '' } : { status: 200, body: JSON.stringify(testJwks()) });
    await expect(loadJwks(server.url, { retries: 2, retryDelayMs: 1 })).resolves.toEqual(testJwks());
    expect(server.requests).toBe(3);
  });

  it('never waits longer than maxRetryDelayMs between attempts', async () => {
    let failures = 2;
    server.respond = () => (failures-- > 0 ? { status: 503, body: '' } : { status: 200, body: JSON.stringify(testJwks()) });
    // Uncapped, the first retry alone would wait ten minutes, far past jest's test timeout.
    await expect(loadJwks(server.url, { retries: 2, retryDelayMs: 600_000, maxRetryDelayMs: 1 })).resolves.toEqual(testJwks());
    expect(server.requests).toBe(3);
  });

  it('refuses a negative maxRetryDelayMs', async () => {
    await expect(loadJwks(server.url, { maxRetryDelayMs: -1 })).rejects.toThrow(new TypeError('maxRetryDelayMs must be a non-negative number'));
  });

  it('fails with JWKS_UNAVAILABLE after the last retry', async () => {
    server.respond = () => ({ status: 500, body: '' });
    const err: unknown = await loadJwks(server.url, { retries: 1, retryDelayMs: 1 }).catch((e: unknown) => e);
    expect(isTokenError(err, 'JWKS_UNAVAILABLE')).toBe(true);
    expect(server.requests).toBe(2);
  });

  it('fails at once with JWKS_INVALID when the document is not a usable JWKS', async () => {
    server.respond = () => ({ status: 200, body: JSON.stringify({ keys: [] }) });
    const err: unknown = await loadJwks(server.url, { retries: 3, retryDelayMs: 1 }).catch((e: unknown) => e);
    expect(isTokenError(err, 'JWKS_INVALID')).toBe(true);
    expect(server.requests).toBe(1);
  });

  it('fails with JWKS_UNAVAILABLE when nothing listens', async () => {
    await server.close();
    const err: unknown = await loadJwks(server.url, { retries: 0 }).catch((e: unknown) => e);
    expect(isTokenError(err, 'JWKS_UNAVAILABLE')).toBe(true);
    server = await startJwksServer(testJwks());
  });
});
