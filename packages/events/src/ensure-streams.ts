import { type NatsConnection, nanos } from '@nats-io/nats-core';
import { type JetStreamManager, jetstreamManager, JetStreamApiCodes, JetStreamApiError, type StreamConfig, StorageType } from '@nats-io/jetstream';
import { EventError } from './errors';
import { allEventsSubject, assertSubjectPrefix, DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM, DEFAULT_STREAM, DEFAULT_SUBJECT_PREFIX, prefixesOverlap } from './subjects';

/** Options of {@link ensureStreams}. */
export interface StreamOptions {
  /** The event stream's name; `AUTH` by default. */
  name?: string;
  /** The subject prefix it captures (`<prefix>.>`); `auth` by default. */
  subjectPrefix?: string;
  /** How long events are kept (audit and replay horizon); 7 days by default. Must exceed the access-token TTL. */
  maxAgeMs?: number;
  /** Stream replicas in a cluster; 1 by default. */
  replicas?: number;
  /** The dead-letter stream's name; `VETO_DLQ` by default. */
  deadLetterStream?: string;
  /** The dead-letter subject prefix it captures (`<prefix>.>`), outside `subjectPrefix`; `veto.dlq` by default. */
  deadLetterPrefix?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Retention of the event stream when not configured. */
export const DEFAULT_MAX_AGE_MS = 7 * DAY_MS;
/** How long a repeated `Nats-Msg-Id` is recognised as a duplicate. */
export const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

const STREAM_NAME = /^[A-Za-z0-9_-]+$/;

function validate(options: StreamOptions): Required<StreamOptions> {
  const resolved = {
    name: options.name ?? DEFAULT_STREAM,
    subjectPrefix: options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX,
    maxAgeMs: options.maxAgeMs ?? DEFAULT_MAX_AGE_MS,
    replicas: options.replicas ?? 1,
    deadLetterStream: options.deadLetterStream ?? DEAD_LETTER_STREAM,
    deadLetterPrefix: options.deadLetterPrefix ?? DEAD_LETTER_PREFIX,
  };
  for (const name of [resolved.name, resolved.deadLetterStream]) {
    if (!STREAM_NAME.test(name)) throw new TypeError(`stream name must match ${STREAM_NAME}, got ${JSON.stringify(name)}`);
  }
  assertSubjectPrefix(resolved.subjectPrefix);
  assertSubjectPrefix(resolved.deadLetterPrefix);
  // A replay of the event stream must never see dead letters, so the two subject spaces stay apart.
  if (prefixesOverlap(resolved.subjectPrefix, resolved.deadLetterPrefix)) {
    throw new TypeError(`subjectPrefix ${resolved.subjectPrefix} overlaps deadLetterPrefix ${resolved.deadLetterPrefix}`);
  }
  if (!Number.isInteger(resolved.maxAgeMs) || resolved.maxAgeMs < DUPLICATE_WINDOW_MS) {
    throw new TypeError(`maxAgeMs must be an integer of at least ${DUPLICATE_WINDOW_MS}, got ${resolved.maxAgeMs}`);
  }
  if (!Number.isInteger(resolved.replicas) || resolved.replicas < 1 || resolved.replicas > 5) {
    throw new TypeError(`replicas must be an integer from 1 to 5, got ${resolved.replicas}`);
  }
  return resolved;
}

async function createOrUpdate(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) {
      await jsm.streams.add(config);
      return;
    }
    throw error;
  }
  const { name, storage: _immutable, ...mutable } = config;
  await jsm.streams.update(name, mutable);
}

/**
 * Creates the event stream and the dead-letter stream, or updates them to the given
 * configuration. Safe to call at every start-up and from several instances.
 *
 * @param nc - a connection with JetStream enabled
 * @param options - stream `name`, `subjectPrefix`, `maxAgeMs`, `replicas`, `deadLetterStream`, `deadLetterPrefix`
 * @throws TypeError on invalid options; EventError `STREAM_SETUP_FAILED` when the server refuses
 * @example
 * await ensureStreams(nc, { maxAgeMs: 24 * 60 * 60 * 1000 });
 */
export async function ensureStreams(nc: NatsConnection, options: StreamOptions = {}): Promise<void> {
  const resolved = validate(options);
  const shared = {
    storage: StorageType.File,
    max_age: nanos(resolved.maxAgeMs),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    num_replicas: resolved.replicas,
  };
  try {
    const jsm = await jetstreamManager(nc);
    await createOrUpdate(jsm, { name: resolved.name, subjects: [allEventsSubject(resolved.subjectPrefix)], ...shared });
    await createOrUpdate(jsm, { name: resolved.deadLetterStream, subjects: [allEventsSubject(resolved.deadLetterPrefix)], ...shared });
  } catch (cause) {
    throw new EventError('STREAM_SETUP_FAILED', `could not create or update stream ${resolved.name}: ${(cause as Error).message}`, { cause });
  }
}
