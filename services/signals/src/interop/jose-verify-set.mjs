// Verifies Security Event Tokens as a receiver written in JavaScript would: jose, the transmitter's
// metadata fetched from its discovery URL, the JWKS from the metadata's jwks_uri, RS256 only, the
// typ secevent+jwt, the issuer from the metadata and the receiver's audience pinned. Reads one
// token per stdin line and answers one JSON line each: {"header", "payload"} or {"error": "<code>"}.
//
// Usage: node jose-verify-set.mjs DISCOVERY_URL AUDIENCE
import { createInterface } from 'node:readline';
import { URL } from 'node:url';
// Run only by security-event-interop.test.ts, as a receiver would, so jose is a devDependency.
// eslint-disable-next-line veto/declared-dependencies
import { createRemoteJWKSet, jwtVerify } from 'jose';

const [discoveryUrl, audience] = process.argv.slice(2);
// eslint-disable-next-line no-undef -- Node's global fetch, which the lint globals of .mjs files do not list
const metadata = await (await fetch(discoveryUrl)).json();
const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));

for await (const line of createInterface({ input: process.stdin })) {
  try {
    const { protectedHeader, payload } = await jwtVerify(line.trim(), jwks, { algorithms: ['RS256'], typ: 'secevent+jwt', issuer: metadata.issuer, audience });
    console.log(JSON.stringify({ header: protectedHeader, payload }));
  } catch (error) {
    console.log(JSON.stringify({ error: error.code ?? error.name }));
  }
}
