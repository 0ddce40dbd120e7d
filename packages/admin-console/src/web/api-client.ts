import type { ActionResult, AdminUser, AuditEntry, Enforcement, Fleet, Page, SessionUser } from './api-types.js';

/** An answer other than 2xx, carrying the problem's `code` and `detail` (RFC 9457). */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

/** The admin actions that record an event. */
export type AdminAction = 'ban' | 'unban' | 'revoke';

const ACTION_PATHS: Record<AdminAction, string> = { ban: 'ban', unban: 'unban', revoke: 'sessions/revoke' };

let onSessionEnded: (error: ApiError) => void = () => undefined;

/** Registers what happens when the session ends mid-use (a 401 that a refresh cannot cure). */
export function whenSessionEnds(handler: (error: ApiError) => void): void {
  onSessionEnded = handler;
}

async function problemOf(response: Response): Promise<ApiError> {
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    const body = (await response.json().catch(() => ({}))) as { code?: unknown; detail?: unknown; title?: unknown };
    const code = typeof body.code === 'string' ? body.code : `HTTP_${response.status}`;
    const detail = typeof body.detail === 'string' ? body.detail : typeof body.title === 'string' ? body.title : response.statusText;
    return new ApiError(response.status, code, detail);
  }
  return new ApiError(response.status, `HTTP_${response.status}`, response.statusText || 'The server answered without a problem body');
}

// Cookies carry the session; every unsafe request sends a JSON body (even `{}`), since the auth
// service refuses cookie-authenticated requests of any other content type.
function send(method: string, path: string, body?: unknown): Promise<Response> {
  const unsafe = method !== 'GET';
  return fetch(path, {
    method,
    credentials: 'same-origin',
    headers: unsafe ? { accept: 'application/json', 'content-type': 'application/json' } : { accept: 'application/json' },
    body: unsafe ? JSON.stringify(body ?? {}) : undefined,
  });
}

async function call<T>(method: string, path: string, body?: unknown, options: { retried?: boolean; quiet?: boolean } = {}): Promise<T> {
  const response = await send(method, path, body);
  if (response.ok) {
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
  const error = await problemOf(response);
  if (error.code === 'TOKEN_EXPIRED' && options.retried !== true) {
    // The access cookie outlived its token: rotate the refresh token once and try again.
    const refreshed = await send('POST', '/api/auth/refresh');
    if (refreshed.ok) {
      return call<T>(method, path, body, { ...options, retried: true });
    }
  }
  if (error.status === 401 && options.quiet !== true) {
    onSessionEnded(error);
  }
  throw error;
}

/** Signs in; the auth service sets the session cookies. */
export async function signIn(email: string, password: string): Promise<SessionUser> {
  const body = await call<{ user: SessionUser }>('POST', '/api/users/signin', { email, password }, { quiet: true });
  return body.user;
}

/** Ends the session and clears both cookies (the refresh route is the one that receives the refresh cookie). */
export async function signOut(): Promise<void> {
  await call<void>('DELETE', '/api/auth/refresh', {}, { quiet: true });
}

/** The signed-in user, or `undefined` when there is no live session. */
export async function currentUser(): Promise<SessionUser | undefined> {
  try {
    return (await call<{ user: SessionUser }>('GET', '/api/users/me', undefined, { quiet: true })).user;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      return undefined;
    }
    throw error;
  }
}

/** One page of accounts whose email contains `query`. */
export function searchUsers(query: string, cursor?: string): Promise<Page<AdminUser>> {
  const params = new URLSearchParams({ query, limit: '20' });
  if (cursor !== undefined) {
    params.set('cursor', cursor);
  }
  return call('GET', `/api/admin/users?${params}`);
}

/** One account. */
export async function getUser(id: string): Promise<AdminUser> {
  return (await call<{ user: AdminUser }>('GET', `/api/admin/users/${encodeURIComponent(id)}`)).user;
}

/** The newest audit entries about one account. */
export function auditTrail(userId: string): Promise<Page<AuditEntry>> {
  return call('GET', `/api/admin/audit?${new URLSearchParams({ userId, limit: '50' })}`);
}

/** Bans, unbans or revokes the sessions of an account. */
export function runAction(action: AdminAction, userId: string, reason: string | undefined): Promise<ActionResult> {
  return call('POST', `/api/admin/users/${encodeURIComponent(userId)}/${ACTION_PATHS[action]}`, reason === undefined ? {} : { reason });
}

/** Which live instances applied an event, and when. */
export function enforcementOf(eventId: string): Promise<Enforcement> {
  return call('GET', `/api/admin/events/${encodeURIComponent(eventId)}/enforcement`);
}

/** The live fleet. */
export function fleet(): Promise<Fleet> {
  return call('GET', '/api/admin/instances');
}
