// Verifies Veto access tokens as a JavaScript client does: jose, a remote JWKS, ES256 only,
// issuer and audience pinned, no clock tolerance, and a maximum token age (which makes jose check
// that iat is not in the future, to the whole second). Reads one token per stdin line and answers
// one JSON line each: {"result": "accepted"} or {"result": "<code>: <message>"}.
//
// Usage: node jose-verify.mjs JWKS_URL ISSUER AUDIENCE MAX_AGE_SECONDS
import { createInterface } from 'node:readline';
import { URL } from 'node:url';
// Run only by fresh-token-interop.test.ts, as a client would, so jose is a devDependency.
// eslint-disable-next-line veto/declared-dependencies
import { createRemoteJWKSet, jwtVerify } from 'jose';

const [jwksUrl, issuer, audience, maxAgeSeconds] = process.argv.slice(2);
const jwks = createRemoteJWKSet(new URL(jwksUrl));
// Fetched before the first token, as a warm client has it.
await jwks.reload();
console.log(JSON.stringify({ ready: true, library: 'jose' }));

for await (const line of createInterface({ input: process.stdin })) {
  try {
    await jwtVerify(line.trim(), jwks, { algorithms: ['ES256'], issuer, audience, maxTokenAge: Number(maxAgeSeconds) });
    console.log(JSON.stringify({ result: 'accepted' }));
  } catch (error) {
    console.log(JSON.stringify({ result: `${error.code ?? error.name}: ${error.message}` }));
  }
}
