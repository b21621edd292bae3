/** The producer side both adapters share: validate, trace, encode, send once, count. */
import type { Context } from '@opentelemetry/api';
import { CE_HEADERS, encodeEnvelope, type EncodedRecord } from './envelope';
import type { BusObserver } from './observer';
import { BusError, type BusMessage, type PublishMessage } from './port';
import { messageContext, startPublishSpan, type MessagingSystem } from './tracing';

/**
 * Encodes `messages` and hands them to `send` in one go, grouped by topic in their order. Each topic gets a
 * PRODUCER span per trace the messages continue: the caller's (the active context), the trace of the
 * consumed message a message names as `causedBy` (so a batch handler's outputs stay in their inputs' traces),
 * or the context a message carries as `traceContext` (so a group commit keeps each request's own trace).
 */
export async function publishTraced(
  system: MessagingSystem,
  source: string,
  observer: BusObserver,
  messages: readonly PublishMessage[],
  send: (byTopic: Map<string, EncodedRecord[]>) => Promise<void>,
): Promise<void> {
  for (const m of messages) assertPublishable(m);
  // Encode before any span starts, so a message that cannot be serialised fails as a BusError and
  // leaves no PRODUCER span open; the trace headers are added once the span exists.
  const encoded = messages.map((m) => encodeOrReject(m, source));
  const groups: SpanGroup[] = [];
  const byCause = new Map<Cause, Map<string, SpanGroup>>();
  messages.forEach((m, index) => {
    const cause = m.causedBy ?? m.traceContext;
    let perTopic = byCause.get(cause);
    if (perTopic === undefined) {
      perTopic = new Map<string, SpanGroup>();
      byCause.set(cause, perTopic);
    }
    let group = perTopic.get(m.topic);
    if (group === undefined) {
      group = { topic: m.topic, cause, indexes: [] };
      perTopic.set(m.topic, group);
      groups.push(group);
    }
    group.indexes.push(index);
  });
  const headersOf: Record<string, string>[] = [];
  const spans = groups.map((group) => {
    const parent = parentOf(group.cause);
    const span = startPublishSpan(system, group.topic, group.indexes.length, parent);
    for (const index of group.indexes) headersOf[index] = span.traceHeaders;
    const only = group.indexes.length === 1 ? (group.indexes[0] as number) : undefined;
    if (only !== undefined) {
      const record = encoded[only] as EncodedRecord;
      const message = messages[only] as PublishMessage;
      span.describe(
        record.headers[CE_HEADERS.id] ?? '',
        record.key,
        record.value === null,
        message.traceAttributes,
      );
    }
    return span;
  });
  // Records keep the callers' order within a topic (per-key order), whatever span they belong to.
  const byTopic = new Map<string, EncodedRecord[]>();
  encoded.forEach((record, index) => {
    const topic = (messages[index] as PublishMessage).topic;
    const withTrace = { ...record, headers: { ...record.headers, ...headersOf[index] } };
    const list = byTopic.get(topic);
    if (list) list.push(withTrace);
    else byTopic.set(topic, [withTrace]);
  });
  try {
    await send(byTopic);
  } catch (err) {
    for (const span of spans) span.end(err);
    throw err;
  }
  for (const span of spans) span.end();
  for (const [topic, records] of byTopic) observer.published(topic, records.length);
}

/** What a message's PRODUCER span continues besides the active context: a consumed message or a context. */
type Cause = BusMessage | Context | undefined;

function parentOf(cause: Cause): Context | undefined {
  if (cause === undefined) return undefined;
  return 'getValue' in cause ? cause : messageContext(cause);
}

/** The messages of one topic that continue one trace, under one PRODUCER span. */
interface SpanGroup {
  topic: string;
  cause: Cause;
  indexes: number[];
}

function encodeOrReject(m: PublishMessage, source: string): EncodedRecord {
  try {
    return encodeEnvelope(m, source);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new BusError(
      'BUS.INVALID_MESSAGE',
      `Cannot publish: data is not serialisable as JSON (${reason}).`,
      {
        retriable: false,
        cause: err,
      },
    );
  }
}

function assertPublishable(m: PublishMessage): void {
  const problems: string[] = [];
  if (typeof m.topic !== 'string' || m.topic === '') problems.push('topic is empty');
  if (typeof m.key !== 'string') problems.push('key is not a string');
  if (typeof m.type !== 'string' || m.type === '') problems.push('type is empty');
  if (m.data === undefined) problems.push('data is undefined (use null for a tombstone)');
  if (problems.length > 0) {
    throw new BusError('BUS.INVALID_MESSAGE', `Cannot publish: ${problems.join('; ')}.`, {
      retriable: false,
    });
  }
}
