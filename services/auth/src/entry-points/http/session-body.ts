import type { SessionTokens } from '../../domain/start-session';

/**
 * The JSON body of a sign-up, sign-in or refresh.
 *
 * @param tokens - the session tokens
 * @param options - whether the body carries the refresh token (for non-browser clients)
 * @returns the response body
 * @example
 * res.status(201).json(sessionBody(tokens, { includeRefreshToken: true }));
 */
export function sessionBody(tokens: SessionTokens, options: { includeRefreshToken: boolean }): Record<string, unknown> {
  const body: Record<string, unknown> = {
    user: tokens.user,
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt.toISOString(),
  };
  if (options.includeRefreshToken) {
    body.refreshToken = tokens.refreshToken;
    body.refreshTokenExpiresAt = tokens.refreshTokenExpiresAt.toISOString();
  }
  return body;
}
