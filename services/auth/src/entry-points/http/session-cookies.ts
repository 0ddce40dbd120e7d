import type { CookieOptions, Request, Response } from 'express';
import type { SessionTokens } from '../../domain/start-session';

/** Name of the access-token cookie (path `/`, SameSite=Lax). */
export const ACCESS_COOKIE = 'veto_access';
/** Name of the refresh-token cookie (path limited to the refresh route, SameSite=Strict). */
export const REFRESH_COOKIE = 'veto_refresh';
/** The only path the browser sends the refresh cookie to. */
export const REFRESH_PATH = '/api/auth/refresh';

function attributes(secure: boolean): { access: CookieOptions; refresh: CookieOptions } {
  return {
    access: { httpOnly: true, secure, sameSite: 'lax', path: '/' },
    refresh: { httpOnly: true, secure, sameSite: 'strict', path: REFRESH_PATH },
  };
}

/** How session cookies are written: `Secure` or not, and the token lifetimes. */
export interface CookieSettings {
  readonly secure: boolean;
  readonly accessTtlSeconds: number;
  readonly refreshTtlSeconds: number;
}

/**
 * Sets both session cookies, each living as long as its token.
 *
 * @param res - the response
 * @param tokens - the session tokens
 * @param options - `secure` is false only in local development; the token lifetimes
 * @example
 * setSessionCookies(res, tokens, { secure: config.env !== 'local', accessTtlSeconds: 900, refreshTtlSeconds: 604800 });
 */
export function setSessionCookies(res: Response, tokens: SessionTokens, options: CookieSettings): void {
  const { access, refresh } = attributes(options.secure);
  res.cookie(ACCESS_COOKIE, tokens.accessToken, { ...access, maxAge: options.accessTtlSeconds * 1000 });
  res.cookie(REFRESH_COOKIE, tokens.refreshToken, { ...refresh, maxAge: options.refreshTtlSeconds * 1000 });
}

/**
 * Clears both session cookies (same names, paths and attributes as when set).
 *
 * @param res - the response
 * @param options - `secure` as when the cookies were set
 * @example
 * clearSessionCookies(res, { secure: true });
 */
export function clearSessionCookies(res: Response, options: { secure: boolean }): void {
  const { access, refresh } = attributes(options.secure);
  // Max-Age=0 rather than express's clearCookie (an Expires in 1970 only): some clients,
  // curl's cookie jar among them, keep a cookie whose only expiry is the epoch.
  res.cookie(ACCESS_COOKIE, '', { ...access, maxAge: 0 });
  res.cookie(REFRESH_COOKIE, '', { ...refresh, maxAge: 0 });
}

/**
 * The refresh token a request presents: from the JSON body (non-browser clients), else
 * from the refresh cookie.
 *
 * @param req - the request (cookies parsed)
 * @param fromBody - the validated `refreshToken` body field, if any
 * @returns the token, or `undefined` when none was presented
 * @example
 * const token = presentedRefreshToken(req, body.refreshToken);
 */
export function presentedRefreshToken(req: Request, fromBody: string | undefined): string | undefined {
  if (fromBody !== undefined) {
    return fromBody;
  }
  const cookie: unknown = req.cookies?.[REFRESH_COOKIE];
  return typeof cookie === 'string' && cookie !== '' ? cookie : undefined;
}
