import type { Readable } from 'node:stream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connectTo } from './connect-to';
import { ensureStreams } from './ensure-streams';
import { startNatsServer, type NatsServerHandle } from './nats-server-harness';
import { replayStream, type ReplayResult } from './stream-archive-replay';
import { DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM, DEFAULT_STREAM, DEFAULT_SUBJECT_PREFIX } from './subjects';

/** An archive in the `veto-stream` format: a JSONL file's path, or its text as a stream. */
export type ReplayArchive = string | Readable;

/** Options of {@link startReplayedBus}. */
export interface ReplayedBusOptions {
  /** The archive to publish first, as `veto-stream record` writes it or hand-written (see `replayStream`). */
  fixture: ReplayArchive;
  /** The event stream to create and fill; `AUTH` by default, as in production. */
  stream?: string;
  /** Its subject prefix, the one the service under test reads; `auth` by default. */
  subjectPrefix?: string;
  /** The dead-letter stream created beside it; `VETO_DLQ` by default. Set it with `stream` when several buses share one server. */
  deadLetterStream?: string;
  /** Its subject prefix; `veto.dlq` by default. */
  deadLetterPrefix?: string;
  /** The prefix the archive's recorded subjects are under; `auth` by default. */
  sourceSubjectPrefix?: string;
  /** A running server to use (left running by `close()`); by default the bus starts its own nats-server. */
  server?: NatsServerHandle;
  /** Publishes awaiting their acknowledgement at once; `replayStream`'s default when omitted. */
  maxInFlight?: number;
  /** How long one publish may wait for its acknowledgement; `replayStream`'s default (5 s) when omitted. */
  timeoutMs?: number;
}

/** A nats-server whose stream holds a replayed archive; see {@link startReplayedBus}. */
export interface ReplayedBus {
  /** The server's URL, for the service's `connect({ servers })`. */
  readonly servers: string;
  /** The server itself, e.g. to `restart()` it. */
  readonly server: NatsServerHandle;
  /** The event stream's name, for `createRevocationFeed({ stream })`. */
  readonly stream: string;
  /** Its subject prefix, for `createRevocationFeed({ subjectPrefix })`. */
  readonly subjectPrefix: string;
  /** What publishing `fixture` did: lines, events, raw messages, stored, duplicates. */
  readonly published: ReplayResult;
  /**
   * Publishes another archive onto the same stream, after the first: events that arrive while the
   * service runs.
   *
   * @throws as `replayStream`
   */
  replay(fixture: ReplayArchive): Promise<ReplayResult>;
  /** Closes the bus's connection, then stops the server and deletes its store unless it was given as `server`. */
  close(): Promise<void>;
}

/**
 * Starts a nats-server for a test (or uses `server`), creates the event stream the service under
 * test reads, and publishes a recorded or hand-written archive into it in file order, exactly as
 * `veto-stream replay` does. The stream stores every message at the real current time, so a
 * service whose clock is set to the archive's time (in the past) replays all of it at start-up.
 *
 * @param options - `fixture` and, optionally, stream names, `server`, `maxInFlight`, `timeoutMs`
 * @returns the bus: `servers`, `stream` and `subjectPrefix` to connect the service to, the replay's counts
 * @throws TypeError on invalid options; Error when nats-server is missing or does not start; ArchiveLineError
 *   (`EVENT_MALFORMED`) for an unreadable line and EventError `PUBLISH_FAILED` when a publish is not acknowledged
 *   (the server it started is cleaned up first)
 * @example
 * const bus = await startReplayedBus({ fixture: join(__dirname, 'incident.jsonl') });
 * const service = await startMyService({ natsUrl: bus.servers, clock: createTestClock('2026-01-15T12:00:00Z') });
 * // ... assert the service's decisions
 * await service.stop();
 * await bus.close();
 */
export async function startReplayedBus(options: ReplayedBusOptions): Promise<ReplayedBus> {
  const streams = {
    name: options.stream ?? DEFAULT_STREAM,
    subjectPrefix: options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX,
    deadLetterStream: options.deadLetterStream ?? DEAD_LETTER_STREAM,
    deadLetterPrefix: options.deadLetterPrefix ?? DEAD_LETTER_PREFIX,
  };
  const owned = options.server === undefined;
  const server = options.server ?? (await startNatsServer());
  let nc: NatsConnection | undefined;
  const close = async (): Promise<void> => {
    await nc?.close();
    if (owned) await server.cleanup();
  };
  try {
    nc = await connectTo(server, { name: 'replayed-bus' });
    await ensureStreams(nc, streams);
    const connection = nc;
    const replay = (fixture: ReplayArchive): Promise<ReplayResult> =>
      replayStream(connection, {
        ...(typeof fixture === 'string' ? { file: fixture } : { readable: fixture }),
        subjectPrefix: streams.subjectPrefix,
        ...(options.sourceSubjectPrefix === undefined ? {} : { sourceSubjectPrefix: options.sourceSubjectPrefix }),
        ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
    const published = await replay(options.fixture);
    return { servers: server.url, server, stream: streams.name, subjectPrefix: streams.subjectPrefix, published, replay, close };
  } catch (error) {
    await close();
    throw error;
  }
}
