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
  type Link,
  type Span,
} from '@opentelemetry/api';
import type { BusMessage } from './port';

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
  /** Adds what is known only once the record is encoded (id) to a single-message publish. */
  describe(messageId: string, key: string, tombstone: boolean): void;
  end(error?: unknown): void;
}

/** Starts the `<topic> publish` span for `count` messages of one topic, as a child of the active context. */
export function startPublishSpan(system: MessagingSystem, topic: string, count: number): PublishSpan {
  const attributes: Attributes = {
    [ATTR.system]: system,
    [ATTR.operationType]: 'send',
    [ATTR.operationName]: 'publish',
    [ATTR.destination]: topic,
  };
  if (count > 1) attributes[ATTR.batchCount] = count;
  const span = tracer().startSpan(`${topic} publish`, { kind: SpanKind.PRODUCER, attributes });
  const traceHeaders: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), traceHeaders);
  return {
    traceHeaders,
    describe(messageId, key, tombstone) {
      if (count !== 1) return;
      span.setAttributes({ [ATTR.messageId]: messageId, [ATTR.kafkaKey]: key });
      if (tombstone) span.setAttribute(ATTR.tombstone, true);
    },
    end: (error) => endSpan(span, error),
  };
}

/**
 * Runs `fn` inside a CONSUMER span `<topic> process`. One message: the span is a child of the
 * producer's context, so the trace crosses the bus. A batch: a new trace linked to every message.
 */
export async function traceProcess<R>(
  system: MessagingSystem,
  group: string,
  messages: readonly BusMessage[],
  fn: () => Promise<R>,
): Promise<R> {
  const first = messages[0];
  if (first === undefined) return fn();
  const attributes: Attributes = {
    [ATTR.system]: system,
    [ATTR.operationType]: 'process',
    [ATTR.operationName]: 'process',
    [ATTR.destination]: first.topic,
    [ATTR.partition]: String(first.partition),
    [ATTR.group]: group,
    [ATTR.attempt]: first.attempt,
  };
  let parent = context.active();
  let links: Link[] | undefined;
  if (messages.length === 1) {
    parent = propagation.extract(ROOT_CONTEXT, first.headers);
    attributes[ATTR.messageId] = first.id;
    attributes[ATTR.kafkaKey] = first.key;
    attributes[ATTR.kafkaOffset] = Number(first.offset);
  } else {
    attributes[ATTR.batchCount] = messages.length;
    links = messages
      .map((m) => trace.getSpanContext(propagation.extract(ROOT_CONTEXT, m.headers)))
      .filter((sc) => sc !== undefined)
      .map((sc) => ({ context: sc }));
  }
  const span = tracer().startSpan(
    `${first.topic} process`,
    { kind: SpanKind.CONSUMER, attributes, ...(links ? { links } : {}) },
    parent,
  );
  try {
    const result = await context.with(trace.setSpan(parent, span), fn);
    endSpan(span);
    return result;
  } catch (err) {
    endSpan(span, err);
    throw err;
  }
}

function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    const err = error instanceof Error ? error : new Error(inspect(error));
    span.recordException(err);
    span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  }
  span.end();
}
