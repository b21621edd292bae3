/**
 * Producer and consumer spans for both adapters, following the OpenTelemetry messaging semantic
 * conventions. Only `@opentelemetry/api` is used: the trace module installs the SDK and the W3C
 * propagator; without them every call here is a cheap no-op.
 */
import { inspect } from 'node:util';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import type { BusMessage, TraceAttributes } from './port';

/** `messaging.system`: `kafka` is the registered value; `memory` names the in-process adapter. */
export type MessagingSystem = 'kafka' | 'memory';

// Attribute names from the (still incubating) messaging conventions, copied as the OpenTelemetry docs advise.
const ATTR = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destination: 'messaging.destination.name',
  partition: 'messaging.destination.partition.id',
  messageId: 'messaging.message.id',
  batchCount: 'messaging.batch.message_count',
  kafkaKey: 'messaging.kafka.message.key',
  kafkaOffset: 'messaging.kafka.offset',
  tombstone: 'messaging.kafka.message.tombstone',
  group: 'messaging.consumer.group.name',
  attempt: 'tradeflow.bus.attempt',
} as const;

const tracer = () => trace.getTracer('@tradeflow/platform/bus');

/** A started PRODUCER span and the headers that carry its context to the consumers. */
export interface PublishSpan {
  traceHeaders: Record<string, string>;
  /** Adds what is known only once the record is encoded (id) to a single-message publish, with its own attributes. */
  describe(messageId: string, key: string, tombstone: boolean, attributes?: TraceAttributes): void;
  end(error?: unknown): void;
}

/**
 * Starts the `<topic> publish` span for `count` messages of one topic, as a child of `parent` (default: the
 * active context).
 */
export function startPublishSpan(
  system: MessagingSystem,
  topic: string,
  count: number,
  parent: Context = context.active(),
): PublishSpan {
  const attributes: Attributes = {
    [ATTR.system]: system,
    [ATTR.operationType]: 'send',
    [ATTR.operationName]: 'publish',
    [ATTR.destination]: topic,
  };
  if (count > 1) attributes[ATTR.batchCount] = count;
  const span = tracer().startSpan(`${topic} publish`, { kind: SpanKind.PRODUCER, attributes }, parent);
  const traceHeaders: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), traceHeaders);
  return {
    traceHeaders,
    describe(messageId, key, tombstone, extra) {
      if (count !== 1) return;
      span.setAttributes({ [ATTR.messageId]: messageId, [ATTR.kafkaKey]: key });
      if (tombstone) span.setAttribute(ATTR.tombstone, true);
      if (extra !== undefined) span.setAttributes(toAttributes(extra));
    },
    end: (error) => endSpan(span, error),
  };
}

/**
 * The context of each message a handler holds: its CONSUMER span, inside the trace of the message's producer.
 * Keyed by the very object handed to the handler, so it is gone with the message.
 */
const messageContexts = new WeakMap<BusMessage, Context>();

/**
 * Runs `fn` inside the trace of `message`, a message being handled: its CONSUMER span is the active span, so
 * the spans `fn` starts (a DynamoDB call) and the lines it logs belong to that message's trace, even when the
 * message came in a batch (whose handler otherwise runs in the batch's own span). Outside a handler, and for
 * a message that was not traced, `fn` runs in the trace its `traceparent` header names, else as it is.
 */
export function withMessageTrace<T>(message: BusMessage, fn: () => T): T {
  return context.with(messageContext(message), fn);
}

/** Runs `fn` (a log line about a record) in the trace its headers name, so the line carries that `trace_id`. */
export function inTraceOf<T>(headers: Readonly<Record<string, string>>, fn: () => T): T {
  return context.with(propagation.extract(context.active(), headers), fn);
}

/** Adds `attributes` (a trade id, an outcome) to the CONSUMER span of `message` while it is being handled. */
export function setMessageAttributes(message: BusMessage, attributes: TraceAttributes): void {
  const ctx = messageContexts.get(message);
  if (ctx !== undefined) trace.getSpan(ctx)?.setAttributes(toAttributes(attributes));
}

/** The port's read-only attributes as the API's (which wants mutable arrays). */
function toAttributes(attributes: TraceAttributes): Attributes {
  const out: Attributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    out[name] = typeof value === 'object' ? [...value] : value;
  }
  return out;
}

/** The context a publish caused by `message` continues: its CONSUMER span, or else its producer's context. */
export function messageContext(message: BusMessage): Context {
  return messageContexts.get(message) ?? propagation.extract(context.active(), message.headers);
}

/**
 * Runs `fn` (the handler) with a CONSUMER span `<topic> process` per message, each a child of the context its
 * producer put in the `traceparent` header, so every message stays in its own trace across the bus (Jaeger
 * shows a trace per trace id: a span that is only linked would start a trace of its own).
 *
 * One message: its span is the handler's active span. A batch: the handler runs in one more CONSUMER span
 * for the batch as a whole (its reads and writes serve every message), which starts a trace of its own and
 * links to every message's producer, while each message's span links back to it; `withMessageTrace` enters a
 * message's span for the work that is that message's alone.
 */
export async function traceProcess<R>(
  system: MessagingSystem,
  group: string,
  messages: readonly BusMessage[],
  fn: () => Promise<R>,
): Promise<R> {
  const first = messages[0];
  if (first === undefined) return fn();
  const base: Attributes = {
    [ATTR.system]: system,
    [ATTR.operationType]: 'process',
    [ATTR.operationName]: 'process',
    [ATTR.destination]: first.topic,
    [ATTR.partition]: String(first.partition),
    [ATTR.group]: group,
    [ATTR.attempt]: first.attempt,
  };
  const name = `${first.topic} process`;
  let active: Context;
  let batchSpan: Span | undefined;
  if (messages.length === 1) {
    active = startMessageSpan(name, base, first);
  } else {
    const links = messages
      .map((m) => trace.getSpanContext(propagation.extract(ROOT_CONTEXT, m.headers)))
      .filter((sc) => sc !== undefined)
      .map((sc): Link => ({ context: sc }));
    batchSpan = tracer().startSpan(
      name,
      { kind: SpanKind.CONSUMER, attributes: { ...base, [ATTR.batchCount]: messages.length }, links },
      context.active(),
    );
    active = trace.setSpan(context.active(), batchSpan);
    const batchLink: Link = { context: batchSpan.spanContext() };
    for (const m of messages) startMessageSpan(name, base, m, batchLink);
  }
  const spans = messages.map((m) => trace.getSpan(messageContexts.get(m) ?? ROOT_CONTEXT));
  if (batchSpan !== undefined) spans.push(batchSpan);
  try {
    const result = await context.with(active, fn);
    for (const span of spans) if (span !== undefined) endSpan(span);
    return result;
  } catch (err) {
    for (const span of spans) if (span !== undefined) endSpan(span, err);
    throw err;
  } finally {
    for (const m of messages) messageContexts.delete(m);
  }
}

/** Starts the CONSUMER span of one message under its producer's context; returns (and records) its context. */
function startMessageSpan(name: string, base: Attributes, message: BusMessage, link?: Link): Context {
  const parent = propagation.extract(ROOT_CONTEXT, message.headers);
  const span = tracer().startSpan(
    name,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...base,
        [ATTR.messageId]: message.id,
        [ATTR.kafkaKey]: message.key,
        [ATTR.kafkaOffset]: Number(message.offset),
      },
      ...(link === undefined ? {} : { links: [link] }),
    },
    parent,
  );
  const ctx = trace.setSpan(parent, span);
  messageContexts.set(message, ctx);
  return ctx;
}

function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    const err = error instanceof Error ? error : new Error(inspect(error));
    span.recordException(err);
    span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  }
  span.end();
}
