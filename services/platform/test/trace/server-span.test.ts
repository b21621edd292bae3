import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { REGISTER_TS } from '../../../../tests/support/paths';

const run = promisify(execFile);

interface Observed {
  activeSpanId?: string;
  spans: {
    name: string;
    kind: SpanKind;
    traceId: string;
    spanId: string;
    parentSpanId?: string;
    attributes: Record<string, unknown>;
    status: SpanStatusCode;
    instrumentation: string;
  }[];
}

/** Runs the fixture in a fresh Node process (instrumentation patches through Node's require, not Jest's). */
async function observe(traceparent: string): Promise<Observed> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
  const { stdout } = await run(
    process.execPath,
    ['-r', REGISTER_TS, join(__dirname, 'fixtures', 'own-server-span.ts'), traceparent],
    { env: { ...clean, FIXTURE_INCOMING_HTTP: 'off' }, timeout: 30_000 },
  );
  return JSON.parse(stdout) as Observed;
}

describe('startTracing without the http instrumentation server side, and startServerSpan', () => {
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  const callerSpanId = 'b7ad6b7169203331';
  let observed: Observed;

  beforeAll(async () => {
    observed = await observe(`00-${traceId}-${callerSpanId}-01`);
  }, 40_000);

  it('when a request carries a traceparent, then its one server span is the caller span’s child with the HTTP attributes', () => {
    const ok = observed.spans.filter((s) => s.traceId === traceId);
    // One span for the request: the service's own, none from @opentelemetry/instrumentation-http.
    expect(ok).toHaveLength(1);
    expect(observed.spans.some((s) => s.instrumentation.includes('instrumentation-http'))).toBe(false);
    expect(ok[0]).toMatchObject({
      name: 'GET /orders/:id',
      kind: SpanKind.SERVER,
      parentSpanId: callerSpanId,
      status: SpanStatusCode.UNSET,
      attributes: {
        'http.request.method': 'GET',
        'url.path': '/orders/42',
        'http.route': '/orders/:id',
        'http.response.status_code': 200,
      },
    });
    // The handler ran with the span active (what it sends on names the span as parent).
    expect(observed.activeSpanId).toBeDefined();
  });

  it('when the answer is a 5xx, then its server span has status ERROR and the sending fetch span as parent', () => {
    const failed = observed.spans.find((s) => s.attributes['url.path'] === '/orders/fail');
    expect(failed).toMatchObject({
      kind: SpanKind.SERVER,
      status: SpanStatusCode.ERROR,
      attributes: { 'http.response.status_code': 503 },
    });
    // The fixture's fetch sent no traceparent of its own: the undici instrumentation's client span did.
    const client = observed.spans.find((s) => s.spanId === failed?.parentSpanId);
    expect(client?.kind).toBe(SpanKind.CLIENT);
    expect(failed?.traceId).not.toBe(traceId);
    expect(observed.spans.filter((s) => s.kind === SpanKind.SERVER)).toHaveLength(2);
  });
});
