/**
 * The RFC 8935 §2.3 error codes a SET Recipient answers a push it refuses with (400, JSON
 * `{ err, description }`).
 */
export const PUSH_ERROR_CODES = Object.freeze(['invalid_request', 'invalid_key', 'invalid_issuer', 'invalid_audience', 'authentication_failed', 'access_denied'] as const);

/**
 * The refusals that no retry can change: the SET's bytes are fixed once stored (its `jti`, `iss`,
 * `aud`, signature), so a receiver that finds it malformed, from the wrong issuer or for another
 * audience will refuse the identical bytes again. `invalid_key` (a receiver with a stale JWKS
 * cache), `authentication_failed` and `access_denied` (credentials being fixed on either side)
 * can heal, so they are retried like any other failure.
 */
const PERMANENT = new Set<string>(['invalid_request', 'invalid_issuer', 'invalid_audience']);

/** What one push attempt came to. */
export type PushOutcome =
  | { readonly kind: 'delivered' }
  /** Try again after the backoff, or give up after the last attempt. */
  | { readonly kind: 'retry'; readonly error: string; readonly reason: string }
  /** Give up now: the SET is dead. */
  | { readonly kind: 'permanent'; readonly error: string; readonly reason: string };

const MAX_ERROR_TEXT = 500;

/** The RFC 8935 error object of a 400 body, when it has that shape. */
function errorObject(body: string): { err: string; description?: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { err, description } = parsed as { err?: unknown; description?: unknown };
    if (typeof err !== 'string') return undefined;
    return typeof description === 'string' ? { err, description } : { err };
  } catch {
    return undefined;
  }
}

/**
 * Reads a SET Recipient's answer to a push (RFC 8935 §2.2, §2.3): 202 is delivery; a 400 with a
 * known `err` is retried or final (see {@link PERMANENT}); any other answer is retried.
 *
 * @param status - the HTTP status
 * @param body - the response body as text (possibly truncated)
 * @returns the outcome, with a short error text to store in `last_error` and a metric label
 *   (`refused_<err>` for a known RFC 8935 `err`, else `http_<status>`)
 * @example
 * classifyPushResponse(400, '{"err":"invalid_audience","description":"not us"}'); // { kind: 'permanent', error: 'HTTP 400 invalid_audience: not us', reason: 'refused_invalid_audience' }
 */
export function classifyPushResponse(status: number, body: string): PushOutcome {
  if (status === 202) return { kind: 'delivered' };
  const refusal = status === 400 ? errorObject(body) : undefined;
  if (refusal !== undefined) {
    const error = `HTTP 400 ${refusal.err}${refusal.description === undefined ? '' : `: ${refusal.description}`}`.slice(0, MAX_ERROR_TEXT);
    const reason = (PUSH_ERROR_CODES as readonly string[]).includes(refusal.err) ? `refused_${refusal.err}` : 'http_400';
    return { kind: PERMANENT.has(refusal.err) ? 'permanent' : 'retry', error, reason };
  }
  return { kind: 'retry', error: `HTTP ${status}${body === '' ? '' : `: ${body}`}`.slice(0, MAX_ERROR_TEXT), reason: `http_${status}` };
}
