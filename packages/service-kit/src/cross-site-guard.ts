import type { Request, RequestHandler } from 'express';
import { ServiceError } from './service-error';

/** Options of {@link crossSiteGuard}. */
export interface CrossSiteGuardOptions {
  /** Origins besides the request's own that may send unsafe requests, serialized (`https://console.example.com`): `ALLOWED_ORIGINS`. */
  readonly allowedOrigins: readonly string[];
  /** Cookies that authenticate a request (`veto_access`, `veto_refresh`): when one is sent, the body must be declared JSON. */
  readonly sessionCookies: readonly string[];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// `none`: the user typed the address or followed a bookmark; nothing else is this site's own page.
const SAME_SITE_FETCHES = new Set(['same-origin', 'none']);

/** The serialized origin of a URL, or undefined for anything that is not one (`null`, garbage). */
function originOf(text: string): string | undefined {
  try {
    const { origin } = new URL(text);
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/** The origin the client addressed, as express sees it behind the trusted proxies (`trust proxy`). */
function ownOrigin(req: Request): string | undefined {
  return req.host ? originOf(`${req.protocol}://${req.host}`) : undefined;
}

function cookieNames(header: string | undefined): string[] {
  return (header ?? '').split(';').map((pair) => pair.split('=', 1)[0]?.trim() ?? '');
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/**
 * Refuses cross-site requests that could ride on a browser's cookies (CSRF, login CSRF). Applies
 * to unsafe methods (anything but GET, HEAD, OPTIONS) without an `Authorization: Bearer` header, which a
 * page of another site can only send after a CORS preflight the services never grant:
 * - an `Origin` header, `null` included, must be the request's own origin (`req.protocol` and
 *   `req.host`, so behind the proxies `trust proxy` names) or one of `allowedOrigins`;
 * - without `Origin`, a `Sec-Fetch-Site` other than `same-origin` or `none` is refused;
 * - with a session cookie, `Content-Type` must be `application/json`, even for an empty body: a
 *   form or a CORS-less `fetch` of another site cannot declare that type without a preflight.
 * Clients that send neither header (curl, servers) pass, cookies included, when they declare JSON.
 *
 * @param options - the other allowed origins and the session cookies' names
 * @returns middleware failing with `CROSS_SITE_REQUEST` (403) or `UNSUPPORTED_MEDIA_TYPE` (415)
 * @throws TypeError at construction when an allowed origin is not a serialized http(s) origin
 * @example
 * app.use(crossSiteGuard({ allowedOrigins: config.allowedOrigins, sessionCookies: ['veto_access', 'veto_refresh'] }));
 */
export function crossSiteGuard(options: CrossSiteGuardOptions): RequestHandler {
  for (const origin of options.allowedOrigins) {
    if (originOf(origin) !== origin || !/^https?:/.test(origin)) {
      throw new TypeError(`crossSiteGuard: allowedOrigins must hold serialized http(s) origins, got ${JSON.stringify(origin)}`);
    }
  }
  const allowed = new Set(options.allowedOrigins);
  const sessionCookies = new Set(options.sessionCookies);
  return (req, _res, next) => {
    // Only a bearer token is exempt: with any other scheme auth-lib's authenticate falls back to
    // the cookie, and a browser can attach cached Basic credentials to a cross-site request itself.
    if (SAFE_METHODS.has(req.method) || /^bearer\s/i.test(req.headers.authorization ?? '')) {
      next();
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined) {
      const parsed = originOf(origin);
      if (parsed === undefined || (parsed !== ownOrigin(req) && !allowed.has(parsed))) {
        next(new ServiceError('CROSS_SITE_REQUEST', 'Unsafe requests from another origin are refused (Origin is neither this site nor in ALLOWED_ORIGINS)'));
        return;
      }
    } else {
      const site = req.headers['sec-fetch-site'];
      if (site !== undefined && !SAME_SITE_FETCHES.has(site)) {
        next(new ServiceError('CROSS_SITE_REQUEST', 'Unsafe requests from another site are refused (Sec-Fetch-Site)'));
        return;
      }
    }
    if (cookieNames(req.headers.cookie).some((name) => sessionCookies.has(name)) && mediaType(req.headers['content-type']) !== 'application/json') {
      next(new ServiceError('UNSUPPORTED_MEDIA_TYPE', 'Requests authenticated by a session cookie must declare Content-Type: application/json, even without a body'));
      return;
    }
    next();
  };
}
