import { context, propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  activeTraceIds,
  extractTraceContext,
  injectTraceHeaders,
  startTracing,
  withSpan,
  type Tracing,
} from '../../src/trace';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('trace helpers without a running SDK', () => {
  it('when nothing is started, then inject writes no headers and withSpan still runs the function', async () => {
    const headers = await withSpan('work', {}, () => injectTraceHeaders({}));

    expect(headers).toEqual({});
    expect(activeTraceIds()).toBeUndefined();
  });

  it('when OTEL_SDK_DISABLED is true, then startTracing records nothing', async () => {
    const exporter = new InMemorySpanExporter();
    process.env.OTEL_SDK_DISABLED = 'true';
    const tracing = startTracing({ serviceName: 'unit', exporter });
    delete process.env.OTEL_SDK_DISABLED;

    await withSpan('ignored', {}, () => undefined);
    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans();
    await tracing.shutdown();

    expect(spans).toEqual([]);
  });

  it('when OTEL_SERVICE_NAME is set, then it names the service instead of the serviceName option', async () => {
    const exporter = new InMemorySpanExporter();
    process.env.OTEL_SERVICE_NAME = 'from-env';
    const tracing = startTracing({ serviceName: 'from-code', exporter });
    delete process.env.OTEL_SERVICE_NAME;

    await withSpan('named', {}, () => undefined);
    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans();
    await tracing.shutdown();

    expect(spans.map((s) => s.resource.attributes['service.name'])).toEqual(['from-env']);
  });
});

describe('trace helpers with tracing started', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;

  beforeAll(() => {
    tracing = startTracing({ serviceName: 'unit', exporter });
  });
  afterAll(() => tracing.shutdown());
  beforeEach(() => exporter.reset());

  async function finished() {
    await tracing.forceFlush();
    return exporter.getFinishedSpans();
  }

  it('when startTracing is called again, then it returns the running instance', () => {
    expect(startTracing({ serviceName: 'other' })).toBe(tracing);
  });

  it('when a span succeeds, then it ends with its kind and attributes, and inject names it in traceparent', async () => {
    const { headers, ids } = await withSpan(
      'orders publish',
      { kind: SpanKind.PRODUCER, attributes: { 'messaging.destination.name': 'orders' } },
      () => ({
        headers: injectTraceHeaders<Record<string, string>>({ existing: 'kept' }),
        ids: activeTraceIds(),
      }),
    );

    const [span] = await finished();
    expect(span).toMatchObject({ name: 'orders publish', kind: SpanKind.PRODUCER });
    expect(span?.attributes['messaging.destination.name']).toBe('orders');
    expect(headers.existing).toBe('kept');
    const [, traceId, spanId] = TRACEPARENT.exec(headers.traceparent ?? '') ?? [];
    expect({ traceId, spanId }).toEqual({
      traceId: span?.spanContext().traceId,
      spanId: span?.spanContext().spanId,
    });
    expect(ids).toEqual({ traceId, spanId });
  });

  it('when a consumer extracts Kafka-style Buffer headers, then its span continues the producer trace', async () => {
    const sent = await withSpan('orders publish', { kind: SpanKind.PRODUCER }, () =>
      injectTraceHeaders<Record<string, string>>({}),
    );
    const received = Object.fromEntries(Object.entries(sent).map(([k, v]) => [k, Buffer.from(v)]));

    await withSpan(
      'orders process',
      { kind: SpanKind.CONSUMER, parent: extractTraceContext(received) },
      () => undefined,
    );

    const [producer, consumer] = await finished();
    expect(consumer?.spanContext().traceId).toBe(producer?.spanContext().traceId);
    expect(consumer?.parentSpanContext?.spanId).toBe(producer?.spanContext().spanId);
  });

  it('when an HTTP header arrives as an array or in another case, then it is still understood', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = `00-${traceId}-00f067aa0ba902b7-01`;

    await withSpan('a', { parent: extractTraceContext({ traceparent: [parent] }) }, () => undefined);
    await withSpan('b', { parent: extractTraceContext({ TraceParent: parent }) }, () => undefined);

    expect((await finished()).map((s) => s.spanContext().traceId)).toEqual([traceId, traceId]);
  });

  it('when baggage is set, then it travels in the baggage header', () => {
    const withBaggage = propagation.setBaggage(
      context.active(),
      propagation.createBaggage({ tenant: { value: 'acme' } }),
    );

    expect(injectTraceHeaders({}, withBaggage)).toEqual({ baggage: 'tenant=acme' });
  });

  it('when the function throws, then the span records the error with status ERROR and the error is rethrown', async () => {
    const boom = new Error('validation store down');

    await expect(withSpan('validate', {}, () => Promise.reject(boom))).rejects.toBe(boom);

    const [span] = await finished();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'validation store down' });
    expect(span?.events.map((e) => e.name)).toEqual(['exception']);
  });
});
