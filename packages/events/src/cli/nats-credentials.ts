import { readFile } from 'node:fs/promises';
import { credsAuthenticator, nkeyAuthenticator, tokenAuthenticator, usernamePasswordAuthenticator, type Authenticator } from '@nats-io/transport-node';
import type { NatsAuth } from './veto-stream-args';
import { VetoStreamError } from './veto-stream-error';

// A creds file (nsc) holds a user JWT and the user's nkey seed between these armour lines.
const CREDS_JWT = /-{3,}BEGIN NATS USER JWT-{3,}\s+\S+\s+-{3,}END NATS USER JWT-{3,}/;
const CREDS_SEED = /-{3,}BEGIN USER NKEY SEED-{3,}\s+SU[A-Z2-7]+\s+-{3,}END USER NKEY SEED-{3,}/;
// A user nkey seed: "SU" and base32 (58 characters in all).
const USER_SEED = /^SU[A-Z2-7]{56}$/;

async function read(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    // Only the path and the system error code: the message of a read error never holds the content.
    throw new VetoStreamError('CREDENTIALS_UNREADABLE', `cannot read the ${what} ${file} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { cause });
  }
}

/**
 * Turns the credentials of the command line and environment into a NATS authenticator, reading
 * the files they name. Files are checked for their format first, so a wrong file fails here with
 * a clear code instead of as a refused connection.
 *
 * @param auth - from parseVetoStreamArgs
 * @returns the authenticator to pass to `connect`, or undefined without credentials, and the secrets to keep out of every message
 * @throws VetoStreamError `CREDENTIALS_UNREADABLE` when a file cannot be read, `CREDENTIALS_INVALID` when it is not a creds file, an nkey seed or a token
 * @example
 * const { authenticator } = await natsAuthenticator({ kind: 'nkey', file: 'ops.nk' });
 * const nc = await connect({ servers, authenticator });
 */
export async function natsAuthenticator(auth: NatsAuth): Promise<{ authenticator: Authenticator | undefined; secrets: string[] }> {
  switch (auth.kind) {
    case 'none':
      return { authenticator: undefined, secrets: [] };
    case 'user-password':
      return { authenticator: usernamePasswordAuthenticator(auth.user, auth.password), secrets: [auth.password] };
    case 'token':
      return { authenticator: tokenAuthenticator(auth.token), secrets: [auth.token] };
    case 'token-file': {
      const token = (await read(auth.file, 'token file')).split(/\r?\n/)[0]?.trim() ?? '';
      if (token === '') throw new VetoStreamError('CREDENTIALS_INVALID', `the token file ${auth.file} is empty`);
      return { authenticator: tokenAuthenticator(token), secrets: [token] };
    }
    case 'creds': {
      const creds = await read(auth.file, 'creds file');
      if (!CREDS_JWT.test(creds) || !CREDS_SEED.test(creds)) {
        throw new VetoStreamError('CREDENTIALS_INVALID', `${auth.file} is not a NATS creds file (a user JWT and a user nkey seed, as nsc writes them)`);
      }
      return { authenticator: credsAuthenticator(new TextEncoder().encode(creds)), secrets: [] };
    }
    case 'nkey': {
      const seed = (await read(auth.file, 'nkey seed file')).trim();
      if (!USER_SEED.test(seed)) throw new VetoStreamError('CREDENTIALS_INVALID', `${auth.file} does not hold a user nkey seed (SU followed by 56 base32 characters)`);
      return { authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)), secrets: [seed] };
    }
  }
}
