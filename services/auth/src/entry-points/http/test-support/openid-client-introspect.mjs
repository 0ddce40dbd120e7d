// Introspects tokens with openid-client 6 (ESM only, hence a child process of the jest tests).
// Reads one JSON request on stdin: { issuer, endpoint, cases: [{ clientId, secret, method, token }] }
// with method 'basic' or 'post'; prints one JSON array: per case the introspection response,
// or the error openid-client threw (its class, OAuth `error`, status and WWW-Authenticate challenges).
import { Buffer } from 'node:buffer';
import * as client from 'openid-client';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { issuer, endpoint, cases } = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const results = [];
for (const { clientId, secret, method, token } of cases) {
  const authentication = method === 'basic' ? client.ClientSecretBasic(secret) : client.ClientSecretPost(secret);
  const config = new client.Configuration({ issuer, introspection_endpoint: endpoint }, clientId, undefined, authentication);
  client.allowInsecureRequests(config);
  try {
    results.push({ response: await client.tokenIntrospection(config, token) });
  } catch (error) {
    results.push({
      thrown: {
        name: error.name,
        error: error.error,
        status: error.status,
        challenges: error instanceof client.WWWAuthenticateChallengeError ? error.cause : undefined,
        message: error.message,
      },
    });
  }
}
process.stdout.write(JSON.stringify(results));
