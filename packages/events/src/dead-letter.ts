import { headers } from '@nats-io/nats-core';
import type { JetStreamClient } from '@nats-io/jetstream';
import { EventError, isEventError } from './errors';

/** Header names on a dead letter; the payload is the original message's bytes, unchanged. */
export const DEAD_LETTER_HEADERS = {
  reason: 'Veto-Dead-Letter-Reason',
  errorCode: 'Veto-Error-Code',
  errorMessage: 'Veto-Error-Message',
  service: 'Veto-Service',
  stream: 'Veto-Original-Stream',
  subject: 'Veto-Original-Subject',
  seq: 'Veto-Original-Seq',
  deliveryCount: 'Veto-Delivery-Count',
} as const;

/** Why a message was set aside: it could not be read, or its handler failed on every allowed delivery. */
export type DeadLetterReason = 'malformed' | 'max-deliveries';

/** A message to set aside, with where it came from and why. */
export interface DeadLetter {
  reason: DeadLetterReason;
  error: unknown;
  service: string;
  stream: string;
  subject: string;
  seq: number;
  deliveryCount: number;
  data: Uint8Array;
}

// Header values are single lines; a long stack-free message is enough to triage.
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').slice(0, 500);
}

function describe(error: unknown): { code: string; message: string } {
  if (isEventError(error)) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'HANDLER_FAILED', message: `${error.name}: ${error.message}` };
  return { code: 'HANDLER_FAILED', message: String(error) };
}

/**
 * Publishes a dead letter and waits until the dead-letter stream stored it. The message id
 * is derived from the original stream sequence, so a repeated attempt is stored once.
 *
 * @param js - a JetStream client
 * @param subject - the dead-letter subject, see `deadLetterSubject`
 * @param letter - the original payload and what to record about it
 * @param timeoutMs - how long to wait for the acknowledgement
 * @returns the dead-letter stream's sequence
 * @throws EventError `DEAD_LETTER_FAILED` when the dead-letter stream does not acknowledge it
 * @example
 * await publishDeadLetter(js, 'veto.dlq.svc-tickets', { reason: 'malformed', error, service, stream, subject, seq, deliveryCount, data }, 5000);
 */
export async function publishDeadLetter(js: JetStreamClient, subject: string, letter: DeadLetter, timeoutMs: number): Promise<number> {
  const { code, message } = describe(letter.error);
  const h = headers();
  h.set(DEAD_LETTER_HEADERS.reason, letter.reason);
  h.set(DEAD_LETTER_HEADERS.errorCode, code);
  h.set(DEAD_LETTER_HEADERS.errorMessage, oneLine(message));
  h.set(DEAD_LETTER_HEADERS.service, letter.service);
  h.set(DEAD_LETTER_HEADERS.stream, letter.stream);
  h.set(DEAD_LETTER_HEADERS.subject, letter.subject);
  h.set(DEAD_LETTER_HEADERS.seq, String(letter.seq));
  h.set(DEAD_LETTER_HEADERS.deliveryCount, String(letter.deliveryCount));
  try {
    const ack = await js.publish(subject, letter.data, { headers: h, msgID: `${letter.service}.${letter.stream}.${letter.seq}`, timeout: timeoutMs });
    return ack.seq;
  } catch (cause) {
    throw new EventError('DEAD_LETTER_FAILED', `could not dead-letter ${letter.stream} seq ${letter.seq} to ${subject}: ${(cause as Error).message}`, { cause });
  }
}
