/** The producer side both adapters share: validate, trace, encode, send once, count. */
import { CE_HEADERS, encodeEnvelope, type EncodedRecord } from './envelope';
import type { BusObserver } from './observer';
import { BusError, type PublishMessage } from './port';
import { startPublishSpan, type MessagingSystem } from './tracing';

/** Encodes `messages` grouped by topic, each topic under its PRODUCER span, and hands them to `send` in one go. */
export async function publishTraced(
  system: MessagingSystem,
  source: string,
  observer: BusObserver,
  messages: readonly PublishMessage[],
  send: (byTopic: Map<string, EncodedRecord[]>) => Promise<void>,
): Promise<void> {
  for (const m of messages) assertPublishable(m);
  const groups = new Map<string, PublishMessage[]>();
  for (const m of messages) {
    const list = groups.get(m.topic);
    if (list) list.push(m);
    else groups.set(m.topic, [m]);
  }
  // Encode before any span starts, so a message that cannot be serialised fails as a BusError and
  // leaves no PRODUCER span open; the trace headers are added once the span exists.
  const encoded = new Map<string, EncodedRecord[]>();
  for (const [topic, list] of groups)
    encoded.set(
      topic,
      list.map((m) => encodeOrReject(m, source)),
    );
  const spans = [];
  const byTopic = new Map<string, EncodedRecord[]>();
  for (const [topic, list] of encoded) {
    const span = startPublishSpan(system, topic, list.length);
    spans.push(span);
    const records = list.map((r) => ({ ...r, headers: { ...r.headers, ...span.traceHeaders } }));
    const only = records[0];
    if (records.length === 1 && only)
      span.describe(only.headers[CE_HEADERS.id] ?? '', only.key, only.value === null);
    byTopic.set(topic, records);
  }
  try {
    await send(byTopic);
  } catch (err) {
    for (const span of spans) span.end(err);
    throw err;
  }
  for (const span of spans) span.end();
  for (const [topic, records] of byTopic) observer.published(topic, records.length);
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
