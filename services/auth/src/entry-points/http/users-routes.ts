import { Router } from 'express';
import { z } from 'zod';
import type { AuthContext } from '../../domain/auth-context';
import { signIn } from '../../domain/sign-in';
import { signUp } from '../../domain/sign-up';
import { parseRequest } from '@veto/service-kit';
import { sessionBody } from './session-body';
import type { Verifier } from '@veto/auth-lib';
import { authenticate, requireAuth } from '@veto/auth-lib/express';
import { requireLiveSession } from './require-live-session';
import { createSignOutHandler, type SignOutTokenCheck } from './sign-out-handler';
import { setSessionCookies, type CookieSettings } from './session-cookies';

const signUpBody = z.object({
  email: z.email().max(254),
  password: z.string().min(8).max(128),
});

// Sign-in does not re-apply the sign-up password rules: a shorter password is simply wrong.
const signInBody = z.object({
  email: z.string().min(1).max(254),
  password: z.string().min(1).max(128),
});

/**
 * Routes under `/api/users`: sign up, sign in, sign out, me.
 *
 * @param context - the auth context
 * @param options - the access-token verifier, the sign-out token check and cookie settings
 * @returns the router
 * @example
 * app.use('/api/users', createUsersRoutes(context, { verifier, tokenCheck, cookies }));
 */
export function createUsersRoutes(context: AuthContext, options: { verifier: Verifier; tokenCheck: SignOutTokenCheck; cookies: CookieSettings }): Router {
  const router = Router();
  const cookieOptions = options.cookies;

  router.post('/signup', async (req, res) => {
    const body = parseRequest(signUpBody, req.body);
    const tokens = await signUp(context, body);
    setSessionCookies(res, tokens, cookieOptions);
    res.status(201).json(sessionBody(tokens, { includeRefreshToken: true }));
  });

  router.post('/signin', async (req, res) => {
    const body = parseRequest(signInBody, req.body);
    const tokens = await signIn(context, { ...body, clientIp: req.ip ?? 'unknown' });
    setSessionCookies(res, tokens, cookieOptions);
    res.status(200).json(sessionBody(tokens, { includeRefreshToken: true }));
  });

  router.post('/signout', createSignOutHandler(context, options));

  router.get('/me', authenticate(options.verifier), requireAuth(), requireLiveSession(context.db), (_req, res) => {
    res.status(200).json({ user: res.locals.user });
  });

  return router;
}
