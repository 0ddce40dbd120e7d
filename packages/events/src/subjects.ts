import { type EventType, EVENT_TYPES } from './event-schemas';

/** The subject prefix of the auth events, so the stream captures `auth.>`. */
export const DEFAULT_SUBJECT_PREFIX = 'auth';
/** The stream that stores the auth events. */
export const DEFAULT_STREAM = 'AUTH';
/** The stream that stores dead letters, outside the `auth.>` space so replays never see them. */
export const DEAD_LETTER_STREAM = 'VETO_DLQ';
/** The subject prefix of dead letters: `veto.dlq.<service>`. */
export const DEAD_LETTER_PREFIX = 'veto.dlq';

const TOKEN = /^[A-Za-z0-9_-]+$/;

/**
 * Validates a subject prefix made of dot-separated tokens without wildcards.
 *
 * @param prefix - for example `auth` or `acme.auth`
 * @throws TypeError when the prefix is empty or contains wildcards, spaces or empty tokens
 * @example
 * assertSubjectPrefix('auth');
 */
export function assertSubjectPrefix(prefix: string): void {
  if (typeof prefix !== 'string' || !prefix.split('.').every((token) => TOKEN.test(token))) {
    throw new TypeError(`subjectPrefix must be dot-separated tokens of [A-Za-z0-9_-], got ${JSON.stringify(prefix)}`);
  }
}

/**
 * The subject an event type is published on.
 *
 * @param type - an event type
 * @param prefix - the subject prefix, `auth` by default
 * @throws TypeError when the type is unknown or the prefix invalid
 * @example
 * subjectFor('user.banned'); // 'auth.user.banned'
 */
export function subjectFor(type: EventType, prefix: string = DEFAULT_SUBJECT_PREFIX): string {
  assertSubjectPrefix(prefix);
  if (!(EVENT_TYPES as readonly string[]).includes(type)) throw new TypeError(`unknown event type ${JSON.stringify(type)}`);
  return `${prefix}.${type}`;
}

/**
 * The wildcard subject that covers every event under a prefix.
 *
 * @param prefix - the subject prefix, `auth` by default
 * @throws TypeError when the prefix is invalid
 * @example
 * allEventsSubject(); // 'auth.>'
 */
export function allEventsSubject(prefix: string = DEFAULT_SUBJECT_PREFIX): string {
  assertSubjectPrefix(prefix);
  return `${prefix}.>`;
}

/**
 * The dead-letter subject of a work-queue service.
 *
 * @param service - the service name, one subject token
 * @param prefix - the dead-letter prefix, `veto.dlq` by default
 * @throws TypeError when the service name is not a single token or the prefix is invalid
 * @example
 * deadLetterSubject('svc-tickets'); // 'veto.dlq.svc-tickets'
 */
export function deadLetterSubject(service: string, prefix: string = DEAD_LETTER_PREFIX): string {
  assertSubjectPrefix(prefix);
  if (typeof service !== 'string' || !TOKEN.test(service)) {
    throw new TypeError(`service must be one token of [A-Za-z0-9_-], got ${JSON.stringify(service)}`);
  }
  return `${prefix}.${service}`;
}

/**
 * Tells whether two subject prefixes overlap, i.e. one is the other or lies beneath it.
 *
 * @param a - a subject prefix
 * @param b - another subject prefix
 * @example
 * prefixesOverlap('veto', 'veto.dlq'); // true
 */
export function prefixesOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}
