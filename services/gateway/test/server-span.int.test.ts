/**
 * The gateway's own server spans (the front door's, with the http instrumentation's server side off): one
 * SERVER span per request with the HTTP attributes, route and consumer, the caller's traceparent as parent, and
 * its own traceparent on the upstream request. A tracer provider is registered here as the SDK would register
 * it; the front door makes its spans itself, so nothing needs patching.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  eventually,
  FakeUpstream,
  startFakedGateway,
  stopFakedGateway,
  type Gateway,
} from './support/gateway-harness';

const ROUTES = `
routes:
  - name: trades
    prefix: /v1/trades
    upstream: trades
    readScope: trades:read
    writeScope: trades:write
`;
const KEY = 'key-alice';
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

const exporter = new InMemorySpanExporter();
const trades = new FakeUpstream();
let gateway: Gateway | undefined;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  gateway = await startFakedGateway(
    { trades },
    { routes: ROUTES, keys: { [KEY]: { consumerId: 'alice', scopes: ['trades:read'] } } },
  );
});

afterAll(async () => {
  await stopFakedGateway(gateway, { trades });
  trace.disable();
  propagation.disable();
  context.disable();
});

beforeEach(() => exporter.reset());

const serverSpans = () => exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);

describe('the gateway front door’s server spans', () => {
  it('when a proxied request carries a traceparent, then one server span, its child, names route and consumer and is the upstream’s parent', async () => {
    const res = await fetch(`${gateway?.url}/v1/trades/T-1?view=full`, {
      headers: { 'x-api-key': KEY, traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` },
    });
    await res.text();

    expect(res.status).toBe(200);
    const [span, ...others] = await eventually(
      () => (serverSpans().length > 0 ? serverSpans() : undefined),
      'the server span',
    );
    expect(others).toEqual([]);
    expect(span?.spanContext().traceId).toBe(TRACE_ID);
    expect(span?.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(span?.name).toBe('GET /v1/trades/*');
    expect(span?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/v1/trades/T-1',
      'http.route': '/v1/trades/*',
      'http.response.status_code': 200,
      'tradeflow.route': 'trades',
      'tradeflow.consumer': 'alice',
      'tradeflow.upstream': 'trades',
    });
    // The upstream's parent is the gateway's server span; the traceresponse names it too.
    const sent = trades.seen.at(-1)?.headers.traceparent;
    expect(sent).toBe(`00-${TRACE_ID}-${span?.spanContext().spanId}-01`);
    expect(res.headers.get('traceresponse')).toBe(sent);
  });

  it('when a request falls through to Express (a 404), then it has its server span as before; a probe has none', async () => {
    const missing = await fetch(`${gateway?.url}/v2/nowhere`);
    await missing.text();
    const probe = await fetch(`${gateway?.url}/livez`);
    await probe.text();

    expect(missing.status).toBe(404);
    const spans = await eventually(
      () => (serverSpans().length > 0 ? serverSpans() : undefined),
      'the 404 server span',
    );
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes).toMatchObject({
      'url.path': '/v2/nowhere',
      'http.response.status_code': 404,
    });
    expect(spans[0]?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('when the upstream answers a 5xx, then the server span’s status is ERROR', async () => {
    trades.handler = (_req, res) => {
      res.statusCode = 500;
      res.end('{}');
    };
    const res = await fetch(`${gateway?.url}/v1/trades/T-2`, { headers: { 'x-api-key': KEY } });
    await res.text();

    const [span] = await eventually(
      () => (serverSpans().length > 0 ? serverSpans() : undefined),
      'the failed request’s server span',
    );
    expect(span?.attributes['http.response.status_code']).toBe(500);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
  });
});
