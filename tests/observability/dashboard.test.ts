// The Grafana dashboard (charts/tradeflow/dashboards/tradeflow.json, provisioned by compose and the chart):
// every query names only metrics the services register, every panel reads the datasource chosen by its
// variable, and the panels the issue asks for are there. Registries are built in-process with the same
// instrument factories the services use, so a renamed metric fails here, not on a dark dashboard.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMetrics } from '@tradeflow/platform/metrics';
import { createGatewayMetrics } from '../../services/gateway/src/proxy/gateway-metrics';
import { createTradesMetrics } from '../../services/trades/src/trades-metrics';
import { createValidationMetrics } from '../../services/validation/src/events/validation-metrics';
import { REPO_ROOT } from '../support/paths';
import { metricNamesIn } from './support/promql';

interface Target {
  expr: string;
  datasource?: { type?: string; uid?: string };
}

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
  gridPos: { h: number; w: number; x: number; y: number };
}

interface Dashboard {
  uid: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string }[] };
}

const DASHBOARD = join(REPO_ROOT, 'charts', 'tradeflow', 'dashboards', 'tradeflow.json');
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const queries = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, ...t })));

/** Every sample name each service exposes: its metric names, with `_bucket`/`_sum`/`_count` for histograms. */
async function registeredSampleNames(): Promise<Set<string>> {
  const names = new Set<string>();
  const services = {
    gateway: (m: ReturnType<typeof createMetrics>) => createGatewayMetrics(m),
    trades: (m: ReturnType<typeof createMetrics>) => createTradesMetrics(m),
    validation: (m: ReturnType<typeof createMetrics>) => createValidationMetrics(m),
    'reference-data': () => undefined,
  };
  for (const [service, register] of Object.entries(services)) {
    const metrics = createMetrics({ service });
    register(metrics);
    for (const metric of await metrics.registry.getMetricsAsJSON()) {
      names.add(metric.name);
      if (String(metric.type) === 'histogram' || String(metric.type) === 'summary') {
        for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
      }
    }
  }
  return names;
}

describe('the Grafana dashboard', () => {
  it('when its queries are read, then every metric they name is one the services register', async () => {
    const registered = await registeredSampleNames();
    const unknown = queries.flatMap((q) =>
      metricNamesIn(q.expr)
        .filter((name) => !registered.has(name))
        .map((name) => `${q.panel}: ${name}`),
    );

    expect(queries.length).toBeGreaterThan(20);
    expect(unknown).toEqual([]);
  });

  it('when a panel queries, then it reads the Prometheus datasource of the `datasource` variable', () => {
    const variable = dashboard.templating.list.find((v) => v.name === 'datasource');
    expect(variable).toMatchObject({ type: 'datasource', query: 'prometheus' });
    const queried = panels.filter((p) => p.type !== 'row');
    for (const panel of queried) {
      expect({ panel: panel.title, datasource: panel.datasource }).toEqual({
        panel: panel.title,
        datasource: { type: 'prometheus', uid: '${datasource}' },
      });
      for (const target of panel.targets ?? []) expect(target.datasource?.uid).toBe('${datasource}');
    }
  });

  it('when it is laid out, then panel ids are unique, panels fit the 24-column grid and none overlap', () => {
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const cells = new Set<string>();
    for (const { gridPos, title } of panels) {
      expect(gridPos.x + gridPos.w).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          const cell = `${x},${y}`;
          if (cells.has(cell)) throw new Error(`panel "${title}" overlaps another at ${cell}`);
          cells.add(cell);
        }
      }
    }
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
  });

  it('when its panels are listed, then throughput, latency, rejections per rule, lag, dead letters, breakers and DynamoDB are covered', () => {
    const exprs = queries.map((q) => q.expr).join('\n');

    expect(exprs).toMatch(/rate\(gateway_request_duration_seconds_count/);
    for (const q of ['0.5', '0.95', '0.99'])
      expect(exprs).toContain(
        `histogram_quantile(${q}, sum by (le) (rate(gateway_request_duration_seconds_bucket`,
      );
    expect(exprs).toMatch(/sum by \(rule\) \(rate\(validation_rule_failures_total/);
    expect(exprs).toContain('bus_consumer_lag_messages');
    expect(exprs).toContain('bus_messages_dead_lettered_total');
    expect(exprs).toContain('circuit_breaker_state');
    expect(exprs).toMatch(/dynamodb_request_duration_seconds_bucket/);
    expect(exprs).toContain('dynamodb_item_writes_total');
  });
});

describe('metricNamesIn', () => {
  it('when a query has functions, aggregations, label matchers, grouping and Grafana variables, then only metric names remain', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{status_code=~"5..", route!="x y"}[$__rate_interval]))) / on (service) group_left sum without (instance) (up) > bool 0 or vector(0)',
      ),
    ).toEqual(['http_request_duration_seconds_bucket', 'up']);
    expect(metricNamesIn('sum(increase(a_total[$__range])) / clamp_min(sum(b_total offset 5m), 1)')).toEqual([
      'a_total',
      'b_total',
    ]);
  });
});
