import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { AuthContext } from '../../domain/auth-context';
import { signOut } from '../../domain/sign-out';
import { AuthError } from '../../errors';
import { parseBody } from './parse-body';
import { presentedAccessToken, verifyAccessToken, type AccessTokenVerification } from './require-user';
import { clearSessionCookies, presentedRefreshToken, type CookieSettings } from './session-cookies';

const signOutBody = z.object({ refreshToken: z.string().min(1).max(256).optional() });

/**
 * Ends the caller's session and clears both cookies; always 204 (signing out twice is
 * harmless). The session is found by the refresh token (body, else cookie), else by the
 * `sid` of the access token (Bearer, else cookie) — verified, but accepted when expired,
 * since ending a session needs no live token. Mounted at `POST /api/users/signout` and at
 * `DELETE /api/auth/refresh`: only the latter receives the refresh cookie from a browser,
 * so it still works after the access cookie has expired.
 *
 * @param context - the auth context
 * @param options - token verification and cookie settings
 * @returns the route handler
 * @example
 * router.post('/signout', createSignOutHandler(context, { verification, cookies }));
 */
export function createSignOutHandler(context: AuthContext, options: { verification: AccessTokenVerification; cookies: CookieSettings }): RequestHandler {
  return async (req, res) => {
    const refreshToken = presentedRefreshToken(req, parseBody(signOutBody, req.body).refreshToken);
    const accessToken = presentedAccessToken(req);
    let sessionId: string | undefined;
    if (refreshToken === undefined && accessToken !== undefined) {
      try {
        sessionId = verifyAccessToken(accessToken, options.verification, true).sid;
      } catch (error) {
        // A forged or foreign token identifies no session; sign-out still clears the cookies.
        if (!(error instanceof AuthError)) {
          throw error;
        }
      }
    }
    await signOut(context, { refreshToken, sessionId });
    clearSessionCookies(res, options.cookies);
    res.status(204).end();
  };
}
