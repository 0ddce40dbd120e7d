#!/usr/bin/env node
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { natsErrorCode } from '../connect-with-retry';
import { ensureStreams } from '../ensure-streams';
import { recordStream } from '../stream-archive-record';
import { replayStream } from '../stream-archive-replay';
import { formatDeadLetters, listDeadLetters } from './list-dead-letters';
import { natsAuthenticator } from './nats-credentials';
import { parseVetoStreamArgs, redactUrls, UsageError, USAGE, type DeadLettersCommand, type RecordCommand, type ReplayCommand, type VetoStreamEnv } from './veto-stream-args';

async function record(nc: NatsConnection, command: RecordCommand): Promise<string> {
  const abort = new AbortController();
  // Ctrl-C ends a --follow recording cleanly: the lines written so far stay complete.
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const { recorded, lastSeq } = await recordStream(nc, {
      stream: command.stream,
      ...(command.out === '-' ? { writable: process.stdout } : { file: command.out }),
      ...(command.fromTime === undefined ? {} : { fromTime: command.fromTime }),
      ...(command.fromSeq === undefined ? {} : { fromSeq: command.fromSeq }),
      ...(command.follow ? { follow: true, signal: abort.signal } : {}),
    });
    return `recorded ${recorded} messages of ${command.stream}${recorded > 0 ? ` (last seq ${lastSeq})` : ''} to ${command.out === '-' ? 'stdout' : command.out}`;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

async function replay(nc: NatsConnection, command: ReplayCommand): Promise<string> {
  if (command.createStream) {
    await ensureStreams(nc, { name: command.stream, subjectPrefix: command.subjectPrefix });
  } else {
    const jsm = await jetstreamManager(nc);
    const subjects = await jsm.streams
      .info(command.stream)
      .then((info) => info.config.subjects ?? [])
      .catch((cause: unknown) => {
        throw new Error(`stream ${command.stream} is not available (${(cause as Error).message}); create it first or pass --create-stream`, { cause });
      });
    if (!subjects.includes(`${command.subjectPrefix}.>`)) {
      throw new Error(`stream ${command.stream} captures ${subjects.join(', ')}, not ${command.subjectPrefix}.>; pass --subject-prefix`);
    }
  }
  const result = await replayStream(nc, {
    ...(command.in === '-' ? { readable: process.stdin } : { file: command.in }),
    subjectPrefix: command.subjectPrefix,
    sourceSubjectPrefix: command.sourceSubjectPrefix,
    maxInFlight: command.maxInFlight,
  });
  return (
    `replayed ${result.lines} lines into ${command.stream} (${command.subjectPrefix}.>): ${result.events} events, ${result.raw} raw messages; ` +
    `${result.stored} stored, ${result.duplicates} duplicates`
  );
}

/** Prints the listing on stdout: it is the command's product, not a summary. */
async function deadLetters(nc: NatsConnection, command: DeadLettersCommand, secrets: readonly string[]): Promise<void> {
  const listing = await listDeadLetters(nc, { stream: command.stream, limit: command.limit });
  process.stdout.write(redact(command.json ? `${JSON.stringify(listing)}\n` : formatDeadLetters(listing, command.limit), secrets));
}

/** Keeps secrets out of a line: URL user-info and each known password, token or seed are replaced by `***`. */
function redact(text: string, secrets: readonly string[]): string {
  return secrets.filter((secret) => secret.length > 0).reduce((line, secret) => line.split(secret).join('***'), redactUrls(text));
}

/**
 * Runs `veto-stream` with the given arguments and returns the exit code: 0 done, 1 failed, 2 usage error.
 * The summary and errors go to stderr, so `--out -` leaves stdout to the JSONL (`dead-letters` prints its listing
 * on stdout); no line carries a password, token or seed.
 *
 * @param argv - the arguments after the script path
 * @param env - where `NATS_URL`, `NATS_USER`, `NATS_PASSWORD` and `NATS_TOKEN` are read; `process.env` by default
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[], env: VetoStreamEnv = process.env): Promise<number> {
  let command;
  try {
    command = parseVetoStreamArgs(argv, Date.now(), env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const secrets = [env.NATS_PASSWORD ?? '', env.NATS_TOKEN ?? ''];
    process.stderr.write(`veto-stream (${error.code}): ${redact(error.message, secrets)}\n\n${USAGE}\n`);
    return 2;
  }
  if (command.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let nc: NatsConnection | undefined;
  let secrets: string[] = [];
  try {
    const credentials = await natsAuthenticator(command.auth);
    secrets = credentials.secrets;
    nc = await connect({
      servers: command.natsUrl,
      name: `veto-stream ${command.command}`,
      ...(credentials.authenticator === undefined ? {} : { authenticator: credentials.authenticator }),
    }).catch((cause: unknown) => {
      // nats.js errors carry no code; name the failure as connectWithRetry's logs do (AUTHORIZATION_VIOLATION, ECONNREFUSED).
      throw Object.assign(new Error(`cannot connect to ${command.natsUrl}: ${(cause as Error).message}`, { cause }), { code: natsErrorCode(cause) });
    });
    if (command.command === 'dead-letters') {
      await deadLetters(nc, command, secrets);
      return 0;
    }
    const summary = command.command === 'record' ? await record(nc, command) : await replay(nc, command);
    process.stderr.write(`${redact(summary, secrets)}\n`);
    return 0;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    process.stderr.write(redact(`veto-stream ${command.command} failed${typeof code === 'string' ? ` (${code})` : ''}: ${(error as Error).message}\n`, secrets));
    return 1;
  } finally {
    await nc?.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`veto-stream: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
