import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import { jetstreamManager } from '@nats-io/jetstream';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { createEvent } from '../create-event';
import { ensureStreams } from '../ensure-streams';
import { EventPublisher } from '../event-publisher';
import { EVENT_TYPES, type EventType, type VetoEvent } from '../event-schemas';
import { subjectFor } from '../subjects';
import { useNatsServer } from '../test-support/nats-suite';
import { uniqueNames } from '../test-support/unique-names';
import { MESSAGE_ID_HEADER, SHARED_SIGNALS } from './asyncapi-document';
import { ASYNCAPI_FILE, renderAsyncApiYaml } from './generate-asyncapi';

type Json = Record<string, unknown>;

const committed = readFileSync(ASYNCAPI_FILE, 'utf8');
const contract = parse(committed) as Json;

/** Follows a local `$ref` (`#/components/...`) of the committed document. */
function resolve(node: unknown): Json {
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref !== 'string') return node as Json;
  return resolve(
    ref
      .slice(2)
      .split('/')
      .reduce<unknown>((at, key) => (at as Json)[key], contract),
  );
}

/** The message of the document's channel on `subject`, as a receiver in another language would find it. */
function messageOn(subject: string): Json {
  const channels = Object.values(contract.channels as Record<string, Json>).filter((channel) => channel.address === subject);
  expect(channels).toHaveLength(1);
  const messages = Object.values(channels[0]?.messages as Json);
  expect(messages).toHaveLength(1);
  return resolve(messages[0]);
}

const ajv = new Ajv({ strict: true, allErrors: true });
addFormats(ajv);
const validators = new Map<unknown, ValidateFunction>();
function validatorOf(schema: Json): ValidateFunction {
  const existing = validators.get(schema);
  if (existing) return existing;
  const compiled = ajv.compile(schema);
  validators.set(schema, compiled);
  return compiled;
}

/** Validates a payload and its headers against the contract of `subject`; returns the ajv errors, none when valid. */
function contractErrors(subject: string, payload: unknown, headers: Record<string, string>): unknown[] {
  const message = messageOn(subject);
  const checkPayload = validatorOf(resolve(message.payload));
  const checkHeaders = validatorOf(resolve(message.headers));
  return [...(checkPayload(payload) ? [] : (checkPayload.errors ?? [])), ...(checkHeaders(headers) ? [] : (checkHeaders.errors ?? []))];
}

const now = () => new Date().toISOString();
/** Every event shape the code can produce: each type, optional fields with and without a value. Built per test, so a schema change fails a test, not the file. */
const produced = (): VetoEvent[] => [
  createEvent('user.banned', { userId: 'u-1', revokedAt: now() }, { source: 'auth' }),
  createEvent('user.banned', { userId: 'u-1', reason: 'chargeback fraud, see ticket 4411', revokedAt: now() }, { source: 'auth' }),
  createEvent('user.unbanned', { userId: 'u-1' }, { source: 'auth' }),
  createEvent('user.sessions_revoked', { userId: 'u-1', revokedAt: now() }, { source: 'auth', id: 'outbox-17' }),
  createEvent('session.revoked', { userId: 'u-1', sessionId: 's-1', revokedAt: now() }, { source: 'auth', occurredAt: new Date(0) }),
];

describe('docs/asyncapi.yaml (the AUTH stream contract)', () => {
  it('is a valid AsyncAPI 3.0 document: the official parser reports no error', async () => {
    const { document, diagnostics } = await new Parser().parse(committed);

    expect(diagnostics.filter((diagnostic) => diagnostic.severity === 0).map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
  });

  it('is what the code generates from the zod schemas (run `pnpm contract:generate` after changing an event)', () => {
    expect(committed).toBe(renderAsyncApiYaml());
  });

  it('has one channel per event type on its subject, and the whole stream on auth.>', () => {
    const addresses = Object.values(contract.channels as Record<string, Json>).map((channel) => channel.address);

    expect(addresses.sort()).toEqual(['auth.>', ...EVENT_TYPES.map((type) => subjectFor(type))].sort());
  });

  it('accepts every event createEvent produces, with its Nats-Msg-Id header, on its subject', () => {
    const events = produced();
    expect(new Set(events.map((event) => event.type))).toEqual(new Set(EVENT_TYPES));
    for (const event of events) {
      expect(contractErrors(subjectFor(event.type), event, { [MESSAGE_ID_HEADER]: event.id })).toEqual([]);
    }
  });

  it.each<[string, EventType, (event: Json) => Json]>([
    ['a version other than 1', 'user.unbanned', (event) => ({ ...event, version: 2 })],
    ['another type on the subject', 'user.unbanned', (event) => ({ ...event, type: 'user.banned' })],
    ['an id with whitespace', 'user.unbanned', (event) => ({ ...event, id: 'a b' })],
    ['a time without milliseconds', 'user.banned', (event) => ({ ...event, data: { ...(event.data as Json), revokedAt: '2026-01-15T10:00:00Z' } })],
    ['a time with an offset', 'user.banned', (event) => ({ ...event, occurredAt: '2026-01-15T10:00:00.000+01:00' })],
    ['a missing sessionId', 'session.revoked', (event) => ({ ...event, data: { userId: 'u-1', revokedAt: now() } })],
    ['a reason over 500 characters', 'user.banned', (event) => ({ ...event, data: { ...(event.data as Json), reason: 'x'.repeat(501) } })],
  ])('rejects an event parseEvent rejects: %s', (_case, type, spoil) => {
    const event = produced().find((each) => each.type === type) as unknown as Json;

    expect(contractErrors(subjectFor(type), spoil(event), { [MESSAGE_ID_HEADER]: String(event.id) })).not.toEqual([]);
  });

  it('accepts fields it does not know, as parseEvent does, so a new optional field breaks no receiver', () => {
    const [event] = produced() as [VetoEvent];

    expect(contractErrors(subjectFor(event.type), { ...event, traceId: 't-1', data: { ...event.data, extra: true } }, { [MESSAGE_ID_HEADER]: event.id })).toEqual([]);
  });

  it('maps each event to its OpenID Shared Signals type in x-shared-signals', () => {
    const eventTypes = Object.fromEntries(EVENT_TYPES.map((type) => [type, (messageOn(subjectFor(type))['x-shared-signals'] as Json).eventType]));

    expect(eventTypes).toEqual({
      'user.banned': 'https://schemas.openid.net/secevent/risc/event-type/account-disabled',
      'user.unbanned': 'https://schemas.openid.net/secevent/risc/event-type/account-enabled',
      'user.sessions_revoked': 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
      'session.revoked': 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
    });
    expect(Object.keys(SHARED_SIGNALS).sort()).toEqual([...EVENT_TYPES].sort());
  });

  describe('against a real stream', () => {
    const nats = useNatsServer();

    it('matches each event as EventPublisher stores it: subject, Nats-Msg-Id header and payload', async () => {
      const names = uniqueNames();
      await ensureStreams(nats.nc, names);
      const publisher = new EventPublisher(nats.nc, { subjectPrefix: names.subjectPrefix });
      const jsm = await jetstreamManager(nats.nc);

      for (const event of produced()) {
        const { seq } = await publisher.publish(event);
        const stored = await jsm.streams.getMessage(names.name, { seq });
        // The test stream has its own prefix; the contract describes the default one.
        const subject = stored?.subject.replace(names.subjectPrefix, 'auth') ?? '';
        const headers = Object.fromEntries(stored?.header?.keys().map((name) => [name, stored.header.get(name)]) ?? []);

        expect(contractErrors(subject, stored?.json(), headers)).toEqual([]);
        expect(headers[MESSAGE_ID_HEADER]).toBe(event.id);
      }
    });
  });
});
