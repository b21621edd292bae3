import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SpanKind } from '@opentelemetry/api';
import { REGISTER_TS } from '../../../../tests/support/paths';
import { exportConfigured } from '../../src/trace/sdk';

const run = promisify(execFile);
const fixtures = join(__dirname, 'fixtures');

interface Observed {
  status: number;
  traceresponse: string | null;
  sameHandle: boolean;
  spans: {
    name: string;
    kind: SpanKind;
    traceId: string;
    parentSpanId?: string;
    attributes: Record<string, unknown>;
    service: string;
  }[];
  logs: Record<string, unknown>[];
}

/** Runs the fixture server in a fresh Node process, where instrumentation can patch http and express. */
async function observe(traceparent: string, env: Record<string, string> = {}): Promise<Observed> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
  const { stdout } = await run(
    process.execPath,
    ['-r', REGISTER_TS, join(fixtures, 'traced-server.ts'), traceparent],
    { env: { ...clean, ...env }, timeout: 30_000 },
  );
  return JSON.parse(stdout) as Observed;
}

describe('startTracing with the HTTP server', () => {
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  const callerSpanId = 'b7ad6b7169203331';

  it('when a request arrives with a traceparent, then its server span, traceresponse and log lines share that trace', async () => {
    const observed = await observe(`00-${traceId}-${callerSpanId}-01`);

    expect(observed.status).toBe(200);
    const server = observed.spans.find((s) => s.kind === SpanKind.SERVER);
    expect(server).toMatchObject({
      name: 'GET /orders/:id',
      traceId,
      parentSpanId: callerSpanId,
      service: 'fixture',
      attributes: expect.objectContaining({
        'http.route': '/orders/:id',
        'http.response.status_code': 200,
      }) as unknown,
    });
    expect(observed.traceresponse).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const requestLines = observed.logs.filter((l) => l.request_id === 'fixture-1');
    expect(requestLines.map((l) => l.msg)).toEqual(['handling order', 'request completed']);
    expect(requestLines.every((l) => l.trace_id === traceId)).toBe(true);
    // Probes stay out of the traces; a second startTracing returned the running instance.
    expect(observed.spans.some((s) => s.attributes['url.path'] === '/livez')).toBe(false);
    expect(observed.sameHandle).toBe(true);
  }, 30_000);

  it('when no variable names an exporter or endpoint, then spans are still recorded for the trace ids but none is exported', async () => {
    const observed = await observe(`00-${traceId}-${callerSpanId}-01`, { FIXTURE_EXPORTER: 'env' });

    expect(observed.status).toBe(200);
    expect(observed.traceresponse).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const requestLines = observed.logs.filter((l) => l.request_id === 'fixture-1');
    expect(requestLines.length).toBeGreaterThan(0);
    expect(requestLines.every((l) => l.trace_id === traceId)).toBe(true);
    // The test's in-memory exporter is not installed in this mode: nothing reached it.
    expect(observed.spans).toEqual([]);
  }, 30_000);

  it('when OTEL_SDK_DISABLED is true, then nothing is traced and the server still answers', async () => {
    const observed = await observe(`00-${traceId}-${callerSpanId}-01`, { OTEL_SDK_DISABLED: 'true' });

    expect(observed.status).toBe(200);
    expect(observed.spans).toEqual([]);
    expect(observed.traceresponse).toBeNull();
  }, 30_000);
});

describe('exportConfigured', () => {
  const env =
    (vars: Record<string, string>) =>
    (name: string): string | undefined =>
      vars[name];

  it('when no OTEL variable names an exporter or endpoint, then spans are not exported', () => {
    expect(exportConfigured(env({}))).toBe(false);
    expect(
      exportConfigured(env({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ', OTEL_TRACES_SAMPLER: 'always_on' })),
    ).toBe(false);
  });

  it('when an endpoint or an exporter is named, then the SDK exports as the variables say', () => {
    expect(exportConfigured(env({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:14318' }))).toBe(true);
    expect(exportConfigured(env({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }))).toBe(
      true,
    );
    expect(exportConfigured(env({ OTEL_TRACES_EXPORTER: 'console' }))).toBe(true);
  });
});
