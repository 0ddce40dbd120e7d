import { signTestToken } from '../testing';
import type { VetoStack } from './veto-stack';

/**
 * A GET over real HTTP, with a Bearer token when given.
 *
 * @example
 * const res = await get(`${base}/me`, token);
 */
export const get = (url: string, token?: string): Promise<Response> => fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

/**
 * What every adapter must answer, checked over HTTP against a service exposing `/me`
 * (requireAuth, answering the claims) and `/admin` (requireRole('admin')) whose feed caught up:
 * 200 with the claims, 401 `TOKEN_MISSING`, 401 `TOKEN_MALFORMED`, 403 `FORBIDDEN_ROLE`, then
 * 401 `TOKEN_REVOKED` for the same token once a ban is published on the bus.
 *
 * @param base - the service's `http://127.0.0.1:<port>`
 * @param stack - the stack the service follows, to publish the ban on
 * @example
 * await expectProtection(await startService(), stack);
 */
export async function expectProtection(base: string, stack: VetoStack): Promise<void> {
  const token = signTestToken({ sub: 'u1', role: 'user' }, { now: Date.now() - 1000 });

  const ok = await get(`${base}/me`, token);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toMatchObject({ sub: 'u1', role: 'user' });

  const missing = await get(`${base}/me`);
  expect(missing.status).toBe(401);
  expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(missing.headers.get('www-authenticate')).toBe('Bearer');
  expect(await missing.json()).toMatchObject({ status: 401, code: 'TOKEN_MISSING' });

  const bad = await get(`${base}/me`, 'not-a-token');
  expect(bad.status).toBe(401);
  expect(await bad.json()).toMatchObject({ code: 'TOKEN_MALFORMED' });

  const forbidden = await get(`${base}/admin`, token);
  expect(forbidden.status).toBe(403);
  expect(forbidden.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
  expect(await forbidden.json()).toMatchObject({ code: 'FORBIDDEN_ROLE' });

  await stack.ban('u1');
  // Bounded by the jest timeout; each round lets the feed apply what arrived.
  while ((await get(`${base}/me`, token)).status === 200) await new Promise((resolve) => setTimeout(resolve, 50));
  const revoked = await get(`${base}/me`, token);
  expect(revoked.status).toBe(401);
  expect(revoked.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  expect(await revoked.json()).toMatchObject({ code: 'TOKEN_REVOKED' });
}
