import type { Verifier } from '@veto/auth-lib';
import { authenticate, requireRole } from '@veto/auth-lib/express';
import type { RequestHandler } from 'express';

/** How admin requests are checked: a Veto access-token verifier and, in production, the revocation feed it follows. */
export interface AdminAuth {
  /** From `createVerifier` of `@veto/auth-lib`, wired to the revocation cache. */
  readonly verifier: Verifier;
  /** While it has not caught up, valid tokens get 503 `REVOCATION_NOT_READY` (a banned admin's token is not trusted before). */
  readonly feed?: { readonly isReady: boolean };
}

/**
 * Admits Veto access tokens with the `admin` role, verified locally (signature, issuer, audience,
 * lifetime, revocations) from `Authorization: Bearer` or the access cookie. Refusals are
 * `@veto/auth-lib`'s: 401 `TOKEN_MISSING`, `TOKEN_EXPIRED`, `TOKEN_REVOKED`…, 403 `FORBIDDEN_ROLE`,
 * answered by its `authErrorHandler`.
 *
 * @param auth - see {@link AdminAuth}
 * @returns the middleware chain for the admin router
 * @example
 * app.use('/api/admin', ...adminOnly(adminAuth), adminRoutes);
 */
export function adminOnly(auth: AdminAuth): RequestHandler[] {
  return [authenticate(auth.verifier, auth.feed === undefined ? {} : { feed: auth.feed }), requireRole('admin')];
}
