// A push SET Recipient as RFC 8935 describes it, in its own process: POST /events takes one SET
// (Content-Type application/secevent+jwt), checks the Authorization header when one is expected,
// verifies the token with jose against the transmitter's JWKS (RS256, typ secevent+jwt, issuer,
// audience) and answers 202, or 400 with {"err", "description"} (§2.3). Tests steer it through
// POST /control and read what it saw from GET /log. It prints {"port": N} once listening.
//
// Usage: node rfc8935-receiver.mjs JWKS_URL ISSUER AUDIENCE [AUTHORIZATION]
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { URL } from 'node:url';
// Run only by the push tests, as a receiver would, so jose is a devDependency.
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';

const [jwksUrl, issuer, audience, authorization] = process.argv.slice(2);
const jwks = createRemoteJWKSet(new URL(jwksUrl));
/** Every POST /events: the jti it carried and the status answered, in arrival order. */
const attempts = [];
/** The SETs accepted (202), verified, in arrival order. */
const accepted = [];
/** When set, every SET is answered with it instead of being verified: { status, body } or { hang: true }. */
let failure;

const read = async (req) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
};
const reply = (res, status, body) => {
  res.writeHead(status, body === undefined ? {} : { 'Content-Type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
};
const jtiOf = (token) => {
  try {
    return decodeJwt(token).jti;
  } catch {
    return undefined;
  }
};

const server = createServer(async (req, res) => {
  const body = await read(req);
  if (req.method === 'POST' && req.url === '/control') {
    failure = JSON.parse(body).failure ?? undefined;
    return reply(res, 204);
  }
  if (req.method === 'GET' && req.url === '/log') return reply(res, 200, { attempts, accepted });
  if (req.method !== 'POST' || req.url !== '/events') return reply(res, 404);
  const jti = jtiOf(body.trim());
  const answer = (status, error) => {
    attempts.push({ jti, status, authorization: req.headers.authorization ?? null, contentType: req.headers['content-type'] ?? null, accept: req.headers.accept ?? null });
    reply(res, status, error);
  };
  if (failure?.hang === true) {
    // Never answers: the transmitter's timeout (or stop) must end it. Logged with status null.
    attempts.push({ jti, status: null, authorization: req.headers.authorization ?? null, contentType: req.headers['content-type'] ?? null, accept: req.headers.accept ?? null });
    return;
  }
  if (failure !== undefined) return answer(failure.status, failure.body);
  if (req.headers['content-type'] !== 'application/secevent+jwt') return answer(400, { err: 'invalid_request', description: 'Content-Type must be application/secevent+jwt' });
  if (authorization !== undefined && req.headers.authorization !== authorization)
    return answer(400, { err: 'authentication_failed', description: 'wrong or missing Authorization' });
  try {
    const { payload } = await jwtVerify(body.trim(), jwks, { algorithms: ['RS256'], typ: 'secevent+jwt', issuer, audience });
    accepted.push(payload);
    return answer(202);
  } catch (error) {
    const err =
      error.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED'
        ? error.claim === 'aud'
          ? 'invalid_audience'
          : error.claim === 'iss'
            ? 'invalid_issuer'
            : 'invalid_request'
        : 'invalid_key';
    return answer(400, { err, description: error.message });
  }
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => process.exit(0));
