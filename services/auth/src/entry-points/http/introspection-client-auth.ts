import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError, ValidationError } from '../../errors';

/**
 * The credentials an introspection client presented, not yet checked: `client_secret_basic`
 * and `client_secret_post` (RFC 6749 §2.3.1) carry a client id, a `bearer` credential only
 * the secret.
 */
export type PresentedCredentials =
  { readonly method: 'client_secret_basic' | 'client_secret_post'; readonly clientId: string; readonly secret: string } | { readonly method: 'bearer'; readonly secret: string };

/** The client-authentication members of a request body, already checked to be single strings. */
export interface CredentialsBody {
  readonly client_id?: string | undefined;
  readonly client_secret?: string | undefined;
}

const refused = (message: string): AuthError => new AuthError('INTROSPECTION_UNAUTHORIZED', message);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes one `application/x-www-form-urlencoded` value (RFC 6749 Appendix B): `+` is a space,
 * `%XX` a UTF-8 byte.
 *
 * @param value - the encoded value
 * @returns the decoded value, or `undefined` for a malformed `%` sequence or bytes that are not UTF-8
 * @example
 * formUrlDecode('s3cr%2Dt+x') // 's3cr-t x'
 */
export function formUrlDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch (error) {
    if (error instanceof URIError) return undefined;
    throw error;
  }
}

/** Client id and secret of an HTTP Basic credential: Base64, split at the first `:`, each part form-urldecoded. */
function parseBasic(credential: string): { clientId: string; secret: string } {
  let decoded: string;
  try {
    decoded = utf8.decode(Buffer.from(credential, 'base64'));
  } catch {
    throw refused('The HTTP Basic credentials are not UTF-8');
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) {
    throw refused('The HTTP Basic credentials have no ":" between client id and secret');
  }
  const clientId = formUrlDecode(decoded.slice(0, colon));
  const secret = formUrlDecode(decoded.slice(colon + 1));
  if (clientId === undefined || secret === undefined) {
    throw refused('The HTTP Basic client id or secret is not form-urlencoded (RFC 6749 §2.3.1)');
  }
  return { clientId, secret };
}

/**
 * Reads the client authentication of an introspection request: HTTP Basic
 * (`client_secret_basic`), `client_id` and `client_secret` in the body (`client_secret_post`), or
 * the secret as a Bearer credential. One method per request (RFC 6749 §2.3).
 *
 * @param authorization - the `Authorization` header, if any
 * @param body - `client_id` and `client_secret` of the body, if any
 * @returns the presented credentials, or `undefined` when the request carries none
 * @throws {AuthError} `INTROSPECTION_UNAUTHORIZED` for an `Authorization` header that is not a well-formed Basic or Bearer credential
 * @throws {ValidationError} `VALIDATION_FAILED` for two methods at once, or a `client_secret` without `client_id`
 * @example
 * const presented = readClientCredentials(req.get('authorization'), body);
 */
export function readClientCredentials(authorization: string | undefined, body: CredentialsBody): PresentedCredentials | undefined {
  if (authorization !== undefined) {
    if (body.client_secret !== undefined) {
      throw new ValidationError([{ field: 'client_secret', message: 'Use one client authentication method per request: the Authorization header or client_secret, not both' }]);
    }
    const basic = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(authorization)?.[1];
    if (basic !== undefined) {
      const { clientId, secret } = parseBasic(basic);
      if (body.client_id !== undefined && body.client_id !== clientId) {
        throw new ValidationError([{ field: 'client_id', message: 'client_id differs from the client id of the Authorization header' }]);
      }
      return { method: 'client_secret_basic', clientId, secret };
    }
    const bearer = /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
    if (bearer !== undefined) {
      return { method: 'bearer', secret: bearer };
    }
    throw refused('The Authorization header is neither HTTP Basic nor Bearer');
  }
  if (body.client_secret !== undefined) {
    if (body.client_id === undefined) {
      throw new ValidationError([{ field: 'client_id', message: 'client_secret needs the client_id beside it' }]);
    }
    return { method: 'client_secret_post', clientId: body.client_id, secret: body.client_secret };
  }
  return undefined;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
// Both sides hashed to equal length, so the comparison time reveals nothing about the expected value.
const matches = (presented: string, expected: Buffer): boolean => timingSafeEqual(digest(presented), expected);

/**
 * The check of an introspection client against the configured credentials, compared in
 * constant time. With a client id configured, Basic and post must present it and a Bearer
 * credential (which carries none) is refused; without one, any client id is accepted.
 *
 * @param expected - `INTROSPECTION_CLIENT_SECRET` and, if set, `INTROSPECTION_CLIENT_ID`
 * @returns a function throwing unless the presented credentials are the configured ones
 * @throws {AuthError} (from the returned function) `INTROSPECTION_UNAUTHORIZED` for missing or wrong credentials
 * @example
 * const check = createClientCheck({ clientId: config.introspectionClientId, clientSecret });
 * check(readClientCredentials(req.get('authorization'), body));
 */
export function createClientCheck(expected: { clientId: string | undefined; clientSecret: string }): (presented: PresentedCredentials | undefined) => void {
  const secret = digest(expected.clientSecret);
  const clientId = expected.clientId === undefined ? undefined : digest(expected.clientId);
  return (presented) => {
    if (presented === undefined) {
      throw refused('Introspection requires client authentication (client_secret_basic or client_secret_post)');
    }
    const secretOk = matches(presented.secret, secret);
    if (clientId !== undefined && presented.method === 'bearer') {
      throw refused('A Bearer credential carries no client id; authenticate with client_secret_basic or client_secret_post');
    }
    const idOk = clientId === undefined || (presented.method !== 'bearer' && matches(presented.clientId, clientId));
    if (!secretOk || !idOk) {
      throw refused('Unknown client or wrong client secret');
    }
  };
}
