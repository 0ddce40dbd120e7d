import { z } from 'zod';
import { EventError } from './errors';
import { EVENT_TYPES } from './event-schemas';
import { assertSubjectPrefix } from './subjects';

/** The subject prefix of enforcement receipts: `veto.receipts.<service>`, core NATS, never stored in a stream. */
export const RECEIPT_PREFIX = 'veto.receipts';
/** The receipt format this package reads and writes. */
export const RECEIPT_VERSION = 1;
/** The most applied events one receipt carries; a reporter sends several receipts for more. */
export const MAX_RECEIPT_APPLIED = 500;
/** Missed heartbeats after which the fleet view forgets an instance. */
export const RECEIPT_EXPIRY_HEARTBEATS = 3;

const TOKEN = /^[A-Za-z0-9_-]+$/;
const timestamp = z.iso.datetime({ precision: 3 });
const service = z.string().min(1).max(64).regex(TOKEN, 'must be one subject token of [A-Za-z0-9_-]');

/** One event an instance applied to its revocation cache, in stream order. */
const appliedEntry = z.object({
  eventId: z.string().min(1).max(128),
  seq: z.number().int().positive().describe('The AUTH stream sequence of the event.'),
  type: z.enum(EVENT_TYPES),
  occurredAt: timestamp.describe("The event's `occurredAt`: the time of the committing transaction."),
  appliedAt: timestamp.describe('When this instance applied it, by its own clock.'),
  live: z.boolean().describe('False while the instance replays the retained window at start-up (or after a stream reset).'),
});

/**
 * Where one instance's revocation feed stands, published on `veto.receipts.<service>` after
 * every batch of applied events and every `intervalMs` as a heartbeat. The fleet view (the auth
 * service) forgets an instance {@link RECEIPT_EXPIRY_HEARTBEATS} intervals after its last receipt,
 * at once after a receipt with state `stopped`.
 */
export const enforcementReceiptSchema = z.object({
  v: z.literal(RECEIPT_VERSION),
  service,
  instanceId: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
  sentAt: timestamp,
  intervalMs: z.number().int().positive().max(3_600_000).describe('The heartbeat interval of this reporter.'),
  state: z.enum(['catching-up', 'ready', 'degraded', 'failed-closed', 'stopped']),
  reason: z.string().max(64).nullable().describe('Why the feed is not current (a RevocationFeedReason), null while it is.'),
  lastSeq: z.number().int().nonnegative().describe('The stream sequence of the last applied event, 0 before the first.'),
  lastEventId: z.string().min(1).max(128).nullable(),
  lastAppliedAt: timestamp.nullable(),
  lagMs: z.number().nullable().describe('Apply time minus occurredAt of the last live event applied, null before the first.'),
  applied: z.array(appliedEntry).max(MAX_RECEIPT_APPLIED).describe('Events applied since the previous receipt, in stream order.'),
});

/** A validated enforcement receipt. */
export type EnforcementReceipt = z.infer<typeof enforcementReceiptSchema>;
/** One entry of {@link EnforcementReceipt.applied}. */
export type AppliedReceiptEntry = EnforcementReceipt['applied'][number];

/**
 * The subject one service's instances publish their receipts on.
 *
 * @param serviceName - one subject token, e.g. `tickets`
 * @param prefix - `veto.receipts` by default
 * @throws TypeError when the service is not one token or the prefix is invalid
 * @example
 * receiptSubject('tickets'); // 'veto.receipts.tickets'
 */
export function receiptSubject(serviceName: string, prefix: string = RECEIPT_PREFIX): string {
  assertSubjectPrefix(prefix);
  if (typeof serviceName !== 'string' || !TOKEN.test(serviceName)) {
    throw new TypeError(`service must be one token of [A-Za-z0-9_-], got ${JSON.stringify(serviceName)}`);
  }
  return `${prefix}.${serviceName}`;
}

/**
 * The wildcard subject of every service's receipts.
 *
 * @param prefix - `veto.receipts` by default
 * @example
 * allReceiptsSubject(); // 'veto.receipts.*'
 */
export function allReceiptsSubject(prefix: string = RECEIPT_PREFIX): string {
  assertSubjectPrefix(prefix);
  return `${prefix}.*`;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/**
 * Validates a receipt.
 *
 * @param input - an object or the UTF-8 JSON bytes of a message
 * @returns the receipt, unknown fields stripped
 * @throws EventError `RECEIPT_MALFORMED` naming the first problem
 * @example
 * const receipt = parseEnforcementReceipt(msg.data);
 */
export function parseEnforcementReceipt(input: unknown): EnforcementReceipt {
  let value = input;
  if (input instanceof Uint8Array) {
    try {
      value = JSON.parse(decoder.decode(input)) as unknown;
    } catch (cause) {
      throw new EventError('RECEIPT_MALFORMED', 'receipt is not UTF-8 JSON', { cause });
    }
  }
  const parsed = enforcementReceiptSchema.safeParse(value);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new EventError('RECEIPT_MALFORMED', `receipt is invalid: ${detail}`, { cause: parsed.error });
  }
  return parsed.data;
}

/**
 * Validates and encodes a receipt for publishing.
 *
 * @param receipt - the receipt
 * @returns its UTF-8 JSON bytes
 * @throws EventError `RECEIPT_MALFORMED` when it does not match the schema
 * @example
 * nc.publish(receiptSubject('tickets'), encodeEnforcementReceipt(receipt));
 */
export function encodeEnforcementReceipt(receipt: EnforcementReceipt): Uint8Array {
  return encoder.encode(JSON.stringify(parseEnforcementReceipt(receipt)));
}
