export { connect } from '@nats-io/transport-node';
export type { NatsConnection, NodeConnectionOptions } from '@nats-io/transport-node';
export { connectWithRetry, natsErrorCode, type ConnectRetryOptions } from './connect-with-retry';
export { EVENT_ERROR_CODES, EventError, isEventError, type EventErrorCode } from './errors';
export { EVENT_DATA_SCHEMAS, EVENT_TYPES, EVENT_VERSION, isEventType, type EventOf, type EventType, type VetoEvent } from './event-schemas';
export { createEvent, type CreateEventOptions } from './create-event';
export { parseEvent } from './parse-event';
export {
  allReceiptsSubject,
  encodeEnforcementReceipt,
  enforcementReceiptSchema,
  MAX_RECEIPT_APPLIED,
  parseEnforcementReceipt,
  RECEIPT_EXPIRY_HEARTBEATS,
  RECEIPT_PREFIX,
  RECEIPT_VERSION,
  receiptSubject,
  type AppliedReceiptEntry,
  type EnforcementReceipt,
} from './enforcement-receipt';
export { allEventsSubject, DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM, deadLetterSubject, DEFAULT_STREAM, DEFAULT_SUBJECT_PREFIX, subjectFor } from './subjects';
export { DEFAULT_MAX_AGE_MS, DUPLICATE_WINDOW_MS, ensureStreams, type StreamOptions } from './ensure-streams';
export { EventPublisher, type EventPublisherOptions, type PublishResult } from './event-publisher';
export { storedEventId } from './stored-event-id';
export { waitForStream, type WaitForStreamOptions } from './wait-for-stream';
export type { Logger } from './logger';
export { subscribeFanOut, type DeliveredEvent, type FanOutInterruption, type FanOutOptions, type FanOutStats, type FanOutSubscription } from './fan-out-subscription';
export { subscribeWorkQueue, type WorkItem, type WorkQueueOptions, type WorkQueueStats, type WorkQueueSubscription } from './work-queue-subscription';
export { DEAD_LETTER_HEADERS, type DeadLetterReason } from './dead-letter';
export { ArchiveLineError, formatArchiveLine, parseArchiveLine, type ArchiveEntry, type ArchivedMessage, type ArchivePayload } from './stream-archive-line';
export { recordStream, type RecordResult, type RecordStreamOptions } from './stream-archive-record';
export { replayStream, type ReplayResult, type ReplayStreamOptions } from './stream-archive-replay';
