import { z } from 'zod';
import { createEvent } from '../create-event';
import { DUPLICATE_WINDOW_MS, DEFAULT_MAX_AGE_MS } from '../ensure-streams';
import { EVENT_DATA_SCHEMAS, EVENT_TYPES, EVENT_VERSION, envelopeSchema, type EventOf, type EventType } from '../event-schemas';
import { allEventsSubject, DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM, DEFAULT_STREAM, subjectFor } from '../subjects';
import { DEFAULT_MAX_DELIVER } from '../work-queue-subscription';

/** The header every event is published with; its value is the event's `id` (see EventPublisher). */
export const MESSAGE_ID_HEADER = 'Nats-Msg-Id';

const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';

/** How a Shared Signals transmitter turns an event into a Security Event Token (the `x-shared-signals` extension). */
export interface SharedSignalsMapping {
  /** `RISC` or `CAEP`. */
  readonly profile: 'RISC' | 'CAEP';
  /** The SET event type URI (the key under `events`). */
  readonly eventType: string;
  /** The SET subject (RFC 9493 subject identifiers), with `$.path` pointing into the Veto event. */
  readonly subject: Readonly<Record<string, unknown>>;
  /** Where CAEP's `event_timestamp` (seconds) comes from. */
  readonly eventTimestamp: string;
  readonly note: string;
}

const user = { format: 'iss_sub', iss: '<the auth service issuer>', sub: '$.data.userId' } as const;

/** The OpenID Shared Signals counterpart of each event type. */
export const SHARED_SIGNALS: Readonly<Record<EventType, SharedSignalsMapping>> = {
  'user.banned': {
    profile: 'RISC',
    eventType: `${RISC}account-disabled`,
    subject: user,
    eventTimestamp: '$.data.revokedAt',
    note: 'A ban also revokes every session of the user. `reason` is free text and is not mapped onto RISC `reason` (`hijacking` | `bulk-account`).',
  },
  'user.unbanned': {
    profile: 'RISC',
    eventType: `${RISC}account-enabled`,
    subject: user,
    eventTimestamp: '$.occurredAt',
    note: 'Old tokens stay revoked; only new sign-ins work again.',
  },
  'user.sessions_revoked': {
    profile: 'CAEP',
    eventType: `${CAEP}session-revoked`,
    subject: user,
    eventTimestamp: '$.data.revokedAt',
    note: 'The subject is the user, so every session of the user is revoked. The older RISC `sessions-revoked` type names the same fact.',
  },
  'session.revoked': {
    profile: 'CAEP',
    eventType: `${CAEP}session-revoked`,
    subject: { format: 'complex', user, session: { format: 'opaque', id: '$.data.sessionId' } },
    eventTimestamp: '$.data.revokedAt',
    note: 'One session: the tokens whose `sid` claim is `sessionId`.',
  },
};

const TITLES: Readonly<Record<EventType, { title: string; summary: string }>> = {
  'user.banned': { title: 'User banned', summary: 'The user is banned: reject every token of the user issued at or before `revokedAt`.' },
  'user.unbanned': { title: 'User unbanned', summary: 'The ban is lifted: new sign-ins work again, tokens revoked by the ban stay revoked.' },
  'user.sessions_revoked': {
    title: 'All sessions of a user revoked',
    summary: '"Sign out everywhere": reject every token of the user issued at or before `revokedAt`.',
  },
  'session.revoked': { title: 'Session revoked', summary: 'One session ended (sign-out, refresh-token reuse): reject every token whose `sid` is `sessionId`.' },
};

// Fixed inputs, so the examples (and the committed document) only change when the code does.
const EXAMPLE_TIME = '2026-11-23T02:00:00.123Z';
const EXAMPLES: { readonly [T in EventType]: EventOf<T>['data'] } = {
  'user.banned': { userId: 'u-42', reason: 'fraud', revokedAt: EXAMPLE_TIME },
  'user.unbanned': { userId: 'u-42' },
  'user.sessions_revoked': { userId: 'u-42', revokedAt: EXAMPLE_TIME },
  'session.revoked': { userId: 'u-42', sessionId: 's-7', revokedAt: EXAMPLE_TIME },
};

type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema (draft-07, the base of AsyncAPI's schema format) of one event type's envelope,
 * generated from the zod schemas `parseEvent` validates with. Input mode: like `parseEvent`, it
 * accepts fields it does not know (a version-1 event may gain optional fields), so a receiver in
 * another language keeps working when one is added.
 */
export function eventJsonSchema(type: EventType): JsonSchema {
  const schema = envelopeSchema.extend({
    type: z.literal(type).describe('The event type; the subject is `<prefix>.<type>`.'),
    version: z.literal(EVENT_VERSION).describe(`The envelope version; receivers set aside any other (this contract describes version ${EVENT_VERSION}).`),
    data: EVENT_DATA_SCHEMAS[type],
  });
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'throw' }) as JsonSchema;
  return json;
}

const camel = (type: EventType): string => type.replace(/[._](\w)/g, (_match, letter: string) => letter.toUpperCase());

function example(type: EventType) {
  const event = createEvent(type, EXAMPLES[type] as EventOf<typeof type>['data'], {
    source: 'auth',
    id: `3b0c4c8e-8f5e-4d2f-9a55-4f0a3c1f9e2${EVENT_TYPES.indexOf(type)}`,
    occurredAt: new Date(EXAMPLE_TIME),
  });
  return { name: camel(type), headers: { [MESSAGE_ID_HEADER]: event.id }, payload: event };
}

function message(type: EventType) {
  const signals = SHARED_SIGNALS[type];
  return {
    name: type,
    title: TITLES[type].title,
    summary: TITLES[type].summary,
    description:
      `Published on \`${subjectFor(type)}\`. OpenID Shared Signals: ${signals.profile} \`${signals.eventType.split('/').pop()}\` ` + `(\`${signals.eventType}\`). ${signals.note}`,
    contentType: 'application/json',
    headers: { $ref: '#/components/schemas/headers' },
    payload: { $ref: `#/components/schemas/${camel(type)}` },
    examples: [example(type)],
    'x-shared-signals': signals,
  };
}

const STREAM_DESCRIPTION = `JetStream stream \`${DEFAULT_STREAM}\` captures \`${allEventsSubject()}\`: file storage, events kept ${DEFAULT_MAX_AGE_MS / 86_400_000} days by default, duplicate window ${DUPLICATE_WINDOW_MS / 60_000} minutes on \`${MESSAGE_ID_HEADER}\`. Only the auth service publishes and manages it; a consuming service has its own NATS user (see infra/nats/veto.conf) that may create consumers on \`${DEFAULT_STREAM}\`, fetch and ack, and nothing else.`;

const DESCRIPTION = `Every revocation Veto makes, as JSON events on NATS JetStream. Read them from the stream \`${DEFAULT_STREAM}\` with a JetStream consumer (a core NATS subscription misses everything published while it was away).

Pick the consumer by what you do with an event:

- **Revocation cache (every instance must see every event):** an ordered, ephemeral consumer per process on \`${allEventsSubject()}\`, no acknowledgements, starting at now minus (access-token TTL + clock skew) to rebuild the cache. Never a queue group or a shared durable consumer: each instance would see only a share of the bans. See the \`receiveAuthEvents\` operation.
- **Side effect once per service (unlist, notify):** a durable pull consumer named after the service and shared by its instances, filtered on the subjects it handles, explicit ack after the work is committed, a bounded number of deliveries, then a dead letter on \`${DEAD_LETTER_PREFIX}.<service>\`. See the \`receive<Type>\` operations.

Every receiver must be idempotent: redeliveries and replays happen. Deduplicate on \`id\` (equal to the \`${MESSAGE_ID_HEADER}\` header); the stream drops a republished id only within its duplicate window. Ignore fields you do not know. Set aside (do not crash on, do not retry forever) a message that is not JSON, has an unknown \`type\` or a \`version\` other than ${EVENT_VERSION}, or whose \`data\` does not match.

Each message carries \`x-shared-signals\`: its OpenID Shared Signals counterpart (RISC or CAEP event type URI, the subject built from the event as RFC 9493 subject identifiers with \`$.\` paths into the event, and where \`event_timestamp\` comes from), for a transmitter that turns these events into Security Event Tokens.

Generated from the zod schemas of @veto/events by \`pnpm contract:generate\`; do not edit by hand.`;

const CONSUMERS = {
  fanOut: { stream: DEFAULT_STREAM, consumer: 'ordered', durable: false, ackPolicy: 'none', deliverPolicy: 'by_start_time', queueGroup: false },
  workQueue: {
    stream: DEFAULT_STREAM,
    consumer: 'durable',
    durableName: '<service>',
    ackPolicy: 'explicit',
    maxDeliver: DEFAULT_MAX_DELIVER,
    deadLetterSubject: `${DEAD_LETTER_PREFIX}.<service>`,
  },
} as const;

/**
 * The AsyncAPI 3.0 document of the `AUTH` stream, built from the event schemas and subjects.
 * `pnpm contract:generate` writes it to docs/asyncapi.yaml; a test fails when that file differs.
 *
 * @returns a plain JSON-compatible object
 * @example
 * const document = asyncApiDocument();
 */
export function asyncApiDocument() {
  const channels: Record<string, unknown> = {
    authEvents: {
      address: allEventsSubject(),
      title: `Every event of the ${DEFAULT_STREAM} stream`,
      description: 'The whole stream, in stream order: what a revocation cache reads.',
      messages: Object.fromEntries(EVENT_TYPES.map((type) => [camel(type), { $ref: `#/components/messages/${camel(type)}` }])),
    },
  };
  const operations: Record<string, unknown> = {
    receiveAuthEvents: {
      action: 'receive',
      channel: { $ref: '#/channels/authEvents' },
      title: 'Keep a revocation cache current',
      summary: 'Every instance receives every event, in stream order.',
      description: `An ordered, ephemeral JetStream consumer per process on \`${DEFAULT_STREAM}\` filtered on \`${allEventsSubject()}\`, without acknowledgements, starting at now minus (access-token TTL + clock skew). After a reconnect, resume after the last stream sequence seen; if the stream was recreated, start again from the time. Never a queue group.`,
      messages: EVENT_TYPES.map((type) => ({ $ref: `#/channels/authEvents/messages/${camel(type)}` })),
      'x-jetstream-consumer': CONSUMERS.fanOut,
    },
  };
  for (const type of EVENT_TYPES) {
    const name = camel(type);
    channels[name] = {
      address: subjectFor(type),
      title: `${type} events`,
      description: `${TITLES[type].summary} Stored in the ${DEFAULT_STREAM} stream.`,
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
    };
    operations[`receive${name[0]?.toUpperCase()}${name.slice(1)}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${name}` },
      title: `Act once per service on ${type}`,
      summary: 'One instance of the service handles each event.',
      description: `A durable pull consumer on \`${DEFAULT_STREAM}\` named after the service, filtered on \`${subjectFor(type)}\` (or on several subjects), shared by the service's instances. Ack explicitly once the work is committed; after the last allowed delivery, publish the message to \`${DEAD_LETTER_PREFIX}.<service>\` and ack it.`,
      messages: [{ $ref: `#/channels/${name}/messages/${name}` }],
      'x-jetstream-consumer': { ...CONSUMERS.workQueue, filterSubject: subjectFor(type) },
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Veto auth events',
      version: `${EVENT_VERSION}.0.0`,
      description: DESCRIPTION,
      license: { name: 'MIT' },
    },
    defaultContentType: 'application/json',
    servers: {
      nats: {
        host: '{host}:{port}',
        protocol: 'nats',
        title: 'NATS with JetStream',
        description: STREAM_DESCRIPTION,
        variables: {
          host: { default: 'localhost', description: "The NATS server, as in the services' `NATS_URL`." },
          port: { default: '4222' },
        },
        security: [{ $ref: '#/components/securitySchemes/natsUser' }],
        'x-jetstream-stream': {
          name: DEFAULT_STREAM,
          subjects: [allEventsSubject()],
          storage: 'file',
          maxAgeMs: DEFAULT_MAX_AGE_MS,
          duplicateWindowMs: DUPLICATE_WINDOW_MS,
          deadLetterStream: { name: DEAD_LETTER_STREAM, subjects: [`${DEAD_LETTER_PREFIX}.>`] },
        },
      },
    },
    channels,
    operations,
    components: {
      schemas: {
        headers: {
          type: 'object',
          required: [MESSAGE_ID_HEADER],
          properties: {
            [MESSAGE_ID_HEADER]: { type: 'string', description: 'Equal to the payload `id`: JetStream stores a republished id once within the duplicate window.' },
          },
        },
        ...Object.fromEntries(EVENT_TYPES.map((type) => [camel(type), eventJsonSchema(type)])),
      },
      messages: Object.fromEntries(EVENT_TYPES.map((type) => [camel(type), message(type)])),
      securitySchemes: {
        natsUser: {
          type: 'userPassword',
          description: 'A NATS user and password per service (`NATS_USER` / `NATS_PASSWORD`), allowed to consume `AUTH`; see infra/nats/veto.conf.',
        },
      },
    },
  };
}
