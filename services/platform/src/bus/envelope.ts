/**
 * CloudEvents 1.0 in Kafka binary content mode, shared by both adapters: attributes travel as `ce_*`
 * headers, the JSON payload is the record value, the partition key is the record key.
 *
 * Written by hand rather than with the `cloudevents` package: its `Kafka.binary` leaves the value
 * unserialised, emits headers whose value is `undefined` (kafkajs cannot encode them), adds the
 * non-standard `ce_datacontenttype`/`ce_partitionkey`, puts the trace context in `ce_traceparent`
 * instead of the W3C `traceparent` header, and `Kafka.toEvent` wants string headers where kafkajs
 * gives Buffers. The mapping below is the whole binding.
 */
import { randomUUID } from 'node:crypto';
import { BusError, type BusMessage, type PublishMessage } from './port';

/** The `ce_*` header of each CloudEvents attribute (Kafka protocol binding, section 3.2.3). */
export const CE_HEADERS = {
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  specversion: 'ce_specversion',
  time: 'ce_time',
  subject: 'ce_subject',
} as const;

export const CONTENT_TYPE_HEADER = 'content-type';
export const JSON_CONTENT_TYPE = 'application/json';
export const CE_SPEC_VERSION = '1.0';

/** Headers added to a dead letter, next to the original ones. */
export const DLQ_HEADERS = {
  errorMessage: 'dlq-error-message',
  errorName: 'dlq-error-name',
  attempts: 'dlq-attempts',
  group: 'dlq-group',
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  failedAt: 'dlq-failed-at',
} as const;

const DLQ_HEADER_PREFIX = 'dlq-';
const MAX_ERROR_HEADER_LENGTH = 1000;

/** A message as it lies on the wire, before the topic/partition/offset are known. */
export interface EncodedRecord {
  key: string;
  /** `null` is a tombstone. */
  value: Buffer | null;
  headers: Record<string, string>;
}

/** A record as read back from a partition. */
export interface RawRecord extends EncodedRecord {
  topic: string;
  partition: number;
  offset: string;
}

/** Turns a message into its binary-mode record; `extraHeaders` (the trace context) win over the caller's. */
export function encodeEnvelope(
  message: PublishMessage,
  defaultSource: string,
  extraHeaders: Record<string, string> = {},
): EncodedRecord {
  const headers: Record<string, string> = {
    ...message.headers,
    [CONTENT_TYPE_HEADER]: JSON_CONTENT_TYPE,
    [CE_HEADERS.id]: message.id ?? randomUUID(),
    [CE_HEADERS.source]: message.source ?? defaultSource,
    [CE_HEADERS.type]: message.type,
    [CE_HEADERS.specversion]: CE_SPEC_VERSION,
    [CE_HEADERS.time]: message.time ?? new Date().toISOString(),
    ...extraHeaders,
  };
  if (message.subject !== undefined) headers[CE_HEADERS.subject] = message.subject;
  else delete headers[CE_HEADERS.subject];
  const value = message.data === null ? null : Buffer.from(JSON.stringify(message.data), 'utf8');
  return { key: message.key, value, headers };
}

/** Reads a binary-mode record back; a record that is not a CloudEvent raises a non-retriable BusError. */
export function decodeEnvelope<T = unknown>(record: RawRecord, attempt: number): BusMessage<T> {
  const h = record.headers;
  const missing = [CE_HEADERS.id, CE_HEADERS.source, CE_HEADERS.type, CE_HEADERS.specversion].filter(
    (name) => !h[name],
  );
  if (missing.length > 0) {
    throw invalidEnvelope(record, `missing header(s) ${missing.join(', ')}`);
  }
  if (h[CE_HEADERS.specversion] !== CE_SPEC_VERSION) {
    throw invalidEnvelope(record, `unsupported specversion ${h[CE_HEADERS.specversion]}`);
  }
  return {
    id: h[CE_HEADERS.id] as string,
    source: h[CE_HEADERS.source] as string,
    type: h[CE_HEADERS.type] as string,
    specversion: CE_SPEC_VERSION,
    time: h[CE_HEADERS.time] ?? '',
    subject: h[CE_HEADERS.subject],
    data: decodeData(record) as T,
    key: record.key,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    headers: h,
    attempt,
  };
}

function decodeData(record: RawRecord): unknown {
  if (record.value === null) return null;
  const text = record.value.toString('utf8');
  const contentType = record.headers[CONTENT_TYPE_HEADER];
  if (contentType !== undefined && !contentType.startsWith(JSON_CONTENT_TYPE)) return text;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalidEnvelope(record, 'the value is not valid JSON', err);
  }
}

function invalidEnvelope(record: RawRecord, reason: string, cause?: unknown): BusError {
  return new BusError(
    'BUS.INVALID_ENVELOPE',
    `The record at ${record.topic}/${record.partition}@${record.offset} is not a CloudEvent: ${reason}.`,
    { retriable: false, cause },
  );
}

/** What went wrong with a message that is about to be dead-lettered. */
export interface DeadLetterFailure {
  error: unknown;
  attempts: number;
  group: string;
}

/** The dead letter of `record`: same key and value, original headers kept, plus the `dlq-*` headers. */
export function deadLetterRecord(record: RawRecord, failure: DeadLetterFailure): EncodedRecord {
  const err = failure.error instanceof Error ? failure.error : new Error(String(failure.error));
  return {
    key: record.key,
    value: record.value,
    headers: {
      ...withoutDeadLetterHeaders(record.headers),
      [DLQ_HEADERS.errorMessage]: err.message.slice(0, MAX_ERROR_HEADER_LENGTH),
      [DLQ_HEADERS.errorName]: err.name,
      [DLQ_HEADERS.attempts]: String(failure.attempts),
      [DLQ_HEADERS.group]: failure.group,
      [DLQ_HEADERS.originalTopic]: record.topic,
      [DLQ_HEADERS.originalPartition]: String(record.partition),
      [DLQ_HEADERS.originalOffset]: record.offset,
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
    },
  };
}

/** `headers` minus the `dlq-*` ones (a replayed message starts clean). */
export function withoutDeadLetterHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith(DLQ_HEADER_PREFIX)));
}
