import type { KeyObject } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import type { AuthContext } from '../../domain/auth-context';
import { signOut } from '../../domain/sign-out';
import { parseRequest } from '@veto/service-kit';
import { ACCESS_COOKIE, clearSessionCookies, presentedRefreshToken, type CookieSettings } from './session-cookies';

const signOutBody = z.object({ refreshToken: z.string().min(1).max(256).optional() });

/** The signing keys and claims an access token must match to identify a session at sign-out. */
export interface SignOutTokenCheck {
  /** Accepted public keys by `kid` (current and previous signing keys). */
  readonly publicKeys: ReadonlyMap<string, KeyObject>;
  readonly issuer: string;
  readonly audience: string;
}

function presentedAccessToken(req: Request): string | undefined {
  const header = req.get('authorization');
  const bearer = header === undefined ? undefined : /^Bearer +(\S+) *$/i.exec(header)?.[1];
  if (bearer !== undefined) {
    return bearer;
  }
  const cookie: unknown = req.cookies?.[ACCESS_COOKIE];
  return typeof cookie === 'string' && cookie !== '' ? cookie : undefined;
}

// Ending a session needs no live token, so unlike auth-lib's verifier this accepts an expired
// one; everything else (ES256, known kid, issuer, audience) is still pinned.
function sessionIdOf(token: string, check: SignOutTokenCheck): string | undefined {
  const kid = jwt.decode(token, { complete: true })?.header.kid;
  const key = kid === undefined ? undefined : check.publicKeys.get(kid);
  if (key === undefined) {
    return undefined;
  }
  try {
    const payload = jwt.verify(token, key, { algorithms: ['ES256'], issuer: check.issuer, audience: check.audience, ignoreExpiration: true });
    return typeof payload === 'object' && typeof payload.sid === 'string' ? payload.sid : undefined;
  } catch (error) {
    // A forged or foreign token identifies no session; sign-out still clears the cookies.
    if (error instanceof jwt.JsonWebTokenError) {
      return undefined;
    }
    throw error;
  }
}

/**
 * Ends the caller's session and clears both cookies; always 204 (signing out twice is
 * harmless). The session is found by the refresh token (body, else cookie), else by the
 * `sid` of the access token (Bearer, else cookie) — verified, but accepted when expired,
 * since ending a session needs no live token. Mounted at `POST /api/users/signout` and at
 * `DELETE /api/auth/refresh`: only the latter receives the refresh cookie from a browser,
 * so it still works after the access cookie has expired.
 *
 * @param context - the auth context
 * @param options - token check and cookie settings
 * @returns the route handler
 * @example
 * router.post('/signout', createSignOutHandler(context, { tokenCheck, cookies }));
 */
export function createSignOutHandler(context: AuthContext, options: { tokenCheck: SignOutTokenCheck; cookies: CookieSettings }): RequestHandler {
  return async (req, res) => {
    const refreshToken = presentedRefreshToken(req, parseRequest(signOutBody, req.body).refreshToken);
    const accessToken = presentedAccessToken(req);
    const sessionId = refreshToken === undefined && accessToken !== undefined ? sessionIdOf(accessToken, options.tokenCheck) : undefined;
    await signOut(context, { refreshToken, sessionId });
    clearSessionCookies(res, options.cookies);
    res.status(204).end();
  };
}
