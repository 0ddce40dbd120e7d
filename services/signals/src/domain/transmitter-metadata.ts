/** Where the transmitter's endpoints live, relative to its issuer (and to the service's root). */
export const TRANSMITTER_PATHS = Object.freeze({
  jwks: '/jwks.json',
  configuration: '/ssf/stream',
  status: '/ssf/status',
  verification: '/ssf/verify',
} as const);

/** The delivery methods of SSF 1.0 §6.1: push (RFC 8935) and poll (RFC 8936). */
export const DELIVERY_METHODS = Object.freeze(['urn:ietf:rfc:8935', 'urn:ietf:rfc:8936'] as const);

/** The Transmitter Configuration Metadata this service publishes (SSF 1.0 §7.1). */
export interface TransmitterMetadata {
  readonly spec_version: '1_0';
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly delivery_methods_supported: readonly string[];
  readonly configuration_endpoint: string;
  readonly status_endpoint: string;
  readonly verification_endpoint: string;
  readonly authorization_schemes: readonly { readonly spec_urn: string }[];
  readonly default_subjects: 'ALL';
}

/** The issuer without a trailing slash, the base the endpoint paths are appended to. */
const base = (issuer: string) => issuer.replace(/\/+$/, '');

/**
 * The transmitter's metadata, built once from its issuer. The choices, each against the specs:
 *
 * - `spec_version` `1_0`: the final SSF 1.0 (the CAEP Interoperability Profile 1.0 §2.3.1 requires it).
 * - `configuration_endpoint`, `status_endpoint`, `verification_endpoint`: optional in SSF 1.0 §7.1,
 *   required by the interoperability profile (§2.3.4–2.3.6); named now, served later (501 until then).
 * - `authorization_schemes`: OAuth 2.0 (`urn:ietf:rfc:6749`), the one the profile requires
 *   (§2.3.7): receivers will present bearer access tokens (RFC 6750 §2.1).
 * - `default_subjects` `ALL`: every user is in every stream, as the profile's receivers assume
 *   (§2.4.2); hence no add/remove subject endpoints and no `critical_subject_members`.
 *
 * @param issuer - `SIGNALS_ISSUER`, exactly as SETs carry it in `iss`
 * @returns the metadata document
 * @example
 * transmitterMetadata('https://signals.example.com').jwks_uri; // 'https://signals.example.com/jwks.json'
 */
export function transmitterMetadata(issuer: string): TransmitterMetadata {
  return Object.freeze({
    spec_version: '1_0',
    issuer,
    jwks_uri: `${base(issuer)}${TRANSMITTER_PATHS.jwks}`,
    delivery_methods_supported: DELIVERY_METHODS,
    configuration_endpoint: `${base(issuer)}${TRANSMITTER_PATHS.configuration}`,
    status_endpoint: `${base(issuer)}${TRANSMITTER_PATHS.status}`,
    verification_endpoint: `${base(issuer)}${TRANSMITTER_PATHS.verification}`,
    authorization_schemes: Object.freeze([Object.freeze({ spec_urn: 'urn:ietf:rfc:6749' })]),
    default_subjects: 'ALL',
  } as const);
}

/**
 * Where the metadata is served (SSF 1.0 §7.2): `/.well-known/ssf-configuration` inserted between
 * the issuer's host and its path, the path's trailing `/` removed.
 *
 * @param issuer - `SIGNALS_ISSUER`
 * @example
 * discoveryPath('https://example.com/issuer1'); // '/.well-known/ssf-configuration/issuer1'
 */
export function discoveryPath(issuer: string): string {
  return `/.well-known/ssf-configuration${new URL(issuer).pathname.replace(/\/+$/, '')}`;
}
