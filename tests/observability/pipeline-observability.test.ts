// Traces and metrics of the distributed shape against the real backends: Jaeger (built from the Go module
// proxy, scripts/infra/jaeger.sh) and Prometheus (Debian's package, scripts/infra/prometheus.sh). Trades go in
// through the gateway; each must come out as one trace from the gateway through trades, Kafka and validation
// back to its status update, and Prometheus must scrape every service with the key series present.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dependencies, findTraces, spansOf, type JaegerTrace, type SpanView } from './support/jaeger-api';
import {
  ACCOUNT,
  API_KEY,
  startJaeger,
  startPrometheus,
  startShape,
  type JaegerHandle,
  type PrometheusHandle,
  type Shape,
} from './support/stack';
import { eventually } from '../support/eventually';
import { REPO_ROOT } from '../support/paths';

const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
const DYNAMODB_ENDPOINT = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';
/** The first run on a machine builds Jaeger from source (see docs/observability.md); later runs reuse it. */
const SETUP_TIMEOUT_MS = 30 * 60_000;
const WAIT_MS = 45_000;

const runId = randomUUID().slice(0, 8);
const since = Date.now();

/** A trade accepted by the gateway and its final status. */
interface Submitted {
  tradeId: string;
  status: 'VALIDATED' | 'REJECTED';
  failedRules: string[];
}

/** AAPL near its reference price (validated while XNAS is open at the trade time), RSTR (restricted: rejected). */
const TRADES = [
  { symbol: 'AAPL', quantity: 100, price: 190 },
  { symbol: 'MSFT', quantity: 10, price: 420 },
  { symbol: 'RSTR', quantity: 200, price: 25 },
];

let jaeger: JaegerHandle | undefined;
let prometheus: PrometheusHandle | undefined;
let shape: Shape | undefined;
const submitted: Submitted[] = [];

async function gateway<T>(method: string, path: string, body?: object): Promise<{ status: number; body: T }> {
  const res = await fetch(`${(shape as Shape).urls.gateway}${path}`, {
    method,
    headers: { 'x-api-key': API_KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  jaeger = await startJaeger();
  shape = await startShape({
    runId,
    kafkaBrokers: KAFKA_BROKERS,
    dynamodbEndpoint: DYNAMODB_ENDPOINT,
    otlpEndpoint: jaeger.otlpEndpoint,
  });
  prometheus = await startPrometheus(runId, shape.addresses);

  for (const [i, trade] of TRADES.entries()) {
    const answer = await gateway<{ tradeId?: string }>('POST', '/v1/trades', {
      accountId: ACCOUNT,
      side: 'BUY',
      currency: 'USD',
      // A weekday at 10:30 in New York, the markets open; a second apart so no two are duplicates.
      tradeTime: `2026-11-25T15:30:0${i}Z`,
      clientTradeId: `obs-${runId}-${i}`,
      ...trade,
    });
    if (answer.status !== 202 || answer.body.tradeId === undefined)
      throw new Error(
        `POST /v1/trades through the gateway: HTTP ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    const tradeId = answer.body.tradeId;
    const final = await eventually(
      async () => {
        const view = await gateway<{ status: string; failures: { ruleId: string }[] }>(
          'GET',
          `/v1/trades/${tradeId}`,
        );
        return view.body.status === 'VALIDATED' || view.body.status === 'REJECTED' ? view.body : undefined;
      },
      `trade ${tradeId} final`,
      WAIT_MS,
    );
    submitted.push({
      tradeId,
      status: final.status as Submitted['status'],
      failedRules: final.failures.map((f) => f.ruleId),
    });
  }
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await Promise.allSettled([shape?.stop(), prometheus?.stop()]);
  await jaeger?.stop();
}, 60_000);

/** The trace holding trade `tradeId`, once every span the path must leave has reached Jaeger. */
async function traceOf(tradeId: string, complete: (spans: SpanView[]) => boolean): Promise<SpanView[]> {
  const { queryUrl } = jaeger as JaegerHandle;
  let last: JaegerTrace[] = [];
  try {
    return await eventually(
      async () => {
        last = await findTraces(queryUrl, 'validation', { 'tradeflow.trade_id': tradeId }, since);
        const spans = last.length === 1 ? spansOf(last[0] as JaegerTrace) : [];
        return complete(spans) ? spans : undefined;
      },
      `the trace of trade ${tradeId} in Jaeger`,
      WAIT_MS,
    );
  } catch (err) {
    const found = last.map((t) => spansOf(t).map((s) => `${s.service}:${s.kind}:${s.name}`));
    throw new Error(`${String(err)}; traces found: ${JSON.stringify(found)}\n${(shape as Shape).logTail()}`, {
      cause: err,
    });
  }
}

function one(spans: SpanView[], service: string, kind: string, name: string | RegExp): SpanView {
  const found = spans.filter(
    (s) =>
      s.service === service &&
      s.kind === kind &&
      (typeof name === 'string' ? s.name === name : name.test(s.name)),
  );
  if (found.length === 0)
    throw new Error(
      `no ${kind} span ${String(name)} of ${service} in ${JSON.stringify(spans.map((s) => `${s.service}:${s.kind}:${s.name}`))}`,
    );
  return found[0] as SpanView;
}

describe('traces in Jaeger', () => {
  it('when trades go in through the gateway, then each is one trace: gateway, trades, Kafka, validation, back to its status update', async () => {
    expect(submitted.map((s) => s.status)).toContain('REJECTED');
    for (const trade of submitted) {
      const spans = await traceOf(
        trade.tradeId,
        (all) =>
          all.some((s) => s.service === 'trades' && s.kind === 'consumer') &&
          all.some((s) => s.service === 'gateway' && s.kind === 'server') &&
          all.some((s) => s.service === 'trades' && s.parentId !== undefined && /UpdateItem/.test(s.name)),
      );

      const edge = one(spans, 'gateway', 'server', /POST/);
      const intake = one(spans, 'trades', 'server', /POST/);
      const submittedPublish = one(spans, 'trades', 'producer', 'trades.submitted publish');
      const validationProcess = one(spans, 'validation', 'consumer', 'trades.submitted process');
      const outcomePublish = one(spans, 'validation', 'producer', 'trades.outcomes publish');
      const statusProcess = one(spans, 'trades', 'consumer', 'trades.outcomes process');
      const statusWrite = spans.find((s) => s.service === 'trades' && s.parentId === statusProcess.spanId);

      // Parent and child all the way: the HTTP hop from the gateway's span (it writes the traceparent itself,
      // no client span per request), the Kafka hops through `traceparent`.
      expect(intake.parentId).toBe(edge.spanId);
      expect(edge.parentId).toBeUndefined();
      expect(validationProcess.parentId).toBe(submittedPublish.spanId);
      expect(outcomePublish.parentId).toBe(validationProcess.spanId);
      expect(statusProcess.parentId).toBe(outcomePublish.spanId);
      // The status update's DynamoDB call, as a client span of the AWS SDK instrumentation (one outcome in
      // its batch, since the trades go in one at a time: an UpdateItem in the message's own span).
      expect(statusWrite?.kind).toBe('client');
      expect(statusWrite?.tags['rpc.method']).toBe('UpdateItem');
      // The intake write: a lone request opens its own group commit, so its BatchWriteItem is in its trace.
      expect(
        spans.some(
          (s) => s.service === 'trades' && s.kind === 'client' && s.tags['rpc.method'] === 'BatchWriteItem',
        ),
      ).toBe(true);
      expect(submittedPublish.tags).toMatchObject({
        'messaging.system': 'kafka',
        'messaging.destination.name': 'trades.submitted',
        'tradeflow.trade_id': trade.tradeId,
        'tradeflow.account_id': ACCOUNT,
      });
      expect(validationProcess.tags).toMatchObject({
        'messaging.consumer.group.name': 'validation',
        'tradeflow.trade_id': trade.tradeId,
        'tradeflow.rule_outcome': trade.status,
      });
      expect(statusProcess.tags).toMatchObject({
        'tradeflow.trade_id': trade.tradeId,
        'tradeflow.rule_outcome': trade.status,
      });
      // Jaeger shows string arrays as a JSON string.
      expect(JSON.parse(String(validationProcess.tags['tradeflow.failed_rules']))).toEqual(trade.failedRules);
    }
  });

  it('when asked for the service dependencies of this run, then Jaeger shows gateway→trades and trades→validation', async () => {
    const { queryUrl } = jaeger as JaegerHandle;
    const edges = await eventually(
      async () => {
        const links = (await dependencies(queryUrl, since)).map((l) => `${l.parent}→${l.child}`);
        return ['gateway→trades', 'trades→validation', 'validation→trades'].every((e) => links.includes(e))
          ? links
          : undefined;
      },
      'the dependency edges',
      WAIT_MS,
    );

    expect(edges).toEqual(
      expect.arrayContaining(['gateway→trades', 'trades→validation', 'validation→trades']),
    );
  });

  it('when the gateway and trades log a request, then the line carries the trace id of that trade', async () => {
    const s = shape as Shape;
    const traceIds = await Promise.all(
      submitted.map(async (t) => {
        const spans = await findTraces(
          (jaeger as JaegerHandle).queryUrl,
          'validation',
          { 'tradeflow.trade_id': t.tradeId },
          since,
        );
        return (spans[0] as JaegerTrace).traceID;
      }),
    );
    for (const service of ['gateway', 'trades'] as const) {
      const intake = s
        .logLines(service)
        .filter((l) => l.msg === 'request completed' && l.method === 'POST' && l.path === '/v1/trades');
      expect(intake).toHaveLength(TRADES.length);
      expect(intake.map((l) => l.trace_id).sort()).toEqual([...traceIds].sort());
      // Every line written while handling a request names its trace.
      const requestLines = s.logLines(service).filter((l) => l.request_id !== undefined);
      expect(requestLines.filter((l) => typeof l.trace_id !== 'string')).toEqual([]);
    }
  });
});

/** The result of an instant query. */
async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const url = `${(prometheus as PrometheusHandle).url}/api/v1/query?query=${encodeURIComponent(expr)}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== 'success') throw new Error(`${expr}: ${JSON.stringify(body)}`);
  return body.data.result;
}

/** Every query of the Grafana dashboard, with Grafana's range variables filled in as Grafana would. */
function dashboardQueries(): string[] {
  interface Panel {
    targets?: { expr: string }[];
    panels?: Panel[];
  }
  const file = join(REPO_ROOT, 'charts', 'tradeflow', 'dashboards', 'tradeflow.json');
  const { panels } = JSON.parse(readFileSync(file, 'utf8')) as { panels: Panel[] };
  return panels
    .flatMap((p) => [p, ...(p.panels ?? [])])
    .flatMap((p) => (p.targets ?? []).map((t) => t.expr))
    .map((expr) => expr.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '5m'));
}

describe('metrics in Prometheus', () => {
  it('when Prometheus scrapes the shape, then every target is up', async () => {
    const targets = await eventually(
      async () => {
        const res = await fetch(`${(prometheus as PrometheusHandle).url}/api/v1/targets`);
        const body = (await res.json()) as {
          data: { activeTargets: { labels: { job: string }; health: string }[] };
        };
        const active = body.data.activeTargets;
        return active.length === 4 && active.every((t) => t.health === 'up') ? active : undefined;
      },
      'four targets up',
      WAIT_MS,
    );

    expect(targets.map((t) => t.labels.job).sort()).toEqual([
      'gateway',
      'reference-data',
      'trades',
      'validation',
    ]);
  });

  it('when the trades have gone through, then the key series exist (RED, bus, lag, validations per rule, breakers, DynamoDB) and every dashboard query runs', async () => {
    const expectations: Record<string, string> = {
      // RED per route, in every service, and at the gateway per route and consumer.
      'count by (job) (http_requests_total)': 'job',
      'gateway_request_duration_seconds_count{route!=""}': '',
      'bus_messages_published_total{topic="trades.submitted"}': '',
      'bus_messages_consumed_total{topic="trades.outcomes",group="trades-status"}': '',
      'bus_messages_failed_total{topic="trades.submitted",group="validation"}': '',
      'bus_messages_dead_lettered_total{topic="trades.outcomes",group="trades-status"}': '',
      'bus_consumer_lag_messages{topic="trades.submitted",group="validation"}': '',
      'validations_total{outcome="REJECTED"} > 0': '',
      validation_rule_failures_total: '',
      'circuit_breaker_state{service="gateway"}': '',
      'dynamodb_request_duration_seconds_count{operation="UpdateItem"}': '',
      'dynamodb_item_writes_total{service="trades"} > 0': '',
    };
    const missing = await eventually(
      async () => {
        const empty: string[] = [];
        for (const expr of Object.keys(expectations)) if ((await query(expr)).length === 0) empty.push(expr);
        return empty.length === 0 ? empty : undefined;
      },
      'every key series',
      WAIT_MS,
    ).catch(async (err: unknown) => {
      const empty: string[] = [];
      for (const expr of Object.keys(expectations)) if ((await query(expr)).length === 0) empty.push(expr);
      throw new Error(`${String(err)}: no series for ${JSON.stringify(empty)}`);
    });

    expect(missing).toEqual([]);
    // The dashboard's queries run here as they would in Grafana: each is valid PromQL (query() throws if not).
    for (const expr of dashboardQueries()) await query(expr);
    const jobs = (await query('count by (job) (http_requests_total)')).map((r) => r.metric.job).sort();
    expect(jobs).toEqual(['gateway', 'reference-data', 'trades', 'validation']);
  });
});
