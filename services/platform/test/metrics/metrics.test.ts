import { Router, type Express } from 'express';
import request from 'supertest';
import { createHttpServer } from '../../src/http';
import { createLogger } from '../../src/log';
import { createMetrics, type Metrics } from '../../src/metrics';
import { parseExposition, sampleValue } from './exposition';

function routes(app: Express): void {
  const trades = Router();
  trades.get('/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  trades.post('/:id/cancel', () => {
    throw new Error('nested failure');
  });
  app.use('/trades', trades);
  app.get('/accounts/:account/limits', (_req, res) => {
    res.json({});
  });
}

function serve(metrics: Metrics): Express {
  const logger = createLogger({ service: 'test', level: 'silent' });
  return createHttpServer({ service: 'test', logger, routes, metrics }).app;
}

describe('createMetrics', () => {
  it('when requests are served, then /metrics shows RED series labelled by route template, never the raw path', async () => {
    const metrics = createMetrics({ service: 'trades', collectDefaultMetrics: false });
    const app = serve(metrics);

    await request(app).get('/trades/T-1');
    await request(app).get('/trades/T-2');
    await request(app).get('/accounts/ACC-9/limits');
    await request(app).post('/trades/T-3/cancel');
    await request(app).get('/no/such/path');
    const res = await request(app).get('/metrics');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(metrics.registry.contentType);
    const samples = parseExposition(res.text);
    const requests = (labels: Record<string, string>) => sampleValue(samples, 'http_requests_total', labels);
    expect(requests({ method: 'GET', route: '/trades/:id', status_code: '200', service: 'trades' })).toBe(2);
    expect(requests({ method: 'GET', route: '/accounts/:account/limits', status_code: '200' })).toBe(1);
    // The error unwinds the nested router, yet the template keeps its mount path.
    expect(requests({ method: 'POST', route: '/trades/:id/cancel', status_code: '500' })).toBe(1);
    expect(requests({ method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
    expect(
      sampleValue(samples, 'http_request_duration_seconds_count', {
        method: 'GET',
        route: '/trades/:id',
        status_code: '200',
      }),
    ).toBe(2);
    expect(
      sampleValue(samples, 'http_request_duration_seconds_bucket', { route: '/trades/:id', le: '+Inf' }),
    ).toBe(2);
    expect(res.text).not.toMatch(/T-1|T-3|ACC-9|no\/such/);
  });

  it('when default metrics are on, then process metrics carry the service label', async () => {
    const metrics = createMetrics({ service: 'validation' });

    const samples = parseExposition(await metrics.registry.metrics());

    // A gauge that is never 0 (the CPU counter counts from the registry's creation and can still read 0).
    expect(sampleValue(samples, 'nodejs_heap_size_total_bytes', { service: 'validation' })).toBeGreaterThan(
      0,
    );
    expect(sampleValue(samples, 'process_cpu_user_seconds_total', { service: 'validation' })).toBeDefined();
  });

  it('when the bus reports, then its counters count by topic and group', async () => {
    const metrics = createMetrics({ service: 'validation', collectDefaultMetrics: false });

    metrics.busObserver.published('trades.submitted', 3);
    metrics.busObserver.consumed('trades.submitted', 'validation');
    metrics.busObserver.failed('trades.submitted', 'validation');
    metrics.busObserver.failed('trades.submitted', 'validation');
    metrics.busObserver.deadLettered('trades.submitted', 'validation');
    const samples = parseExposition(await metrics.registry.metrics());

    const labels = { topic: 'trades.submitted', group: 'validation', service: 'validation' };
    expect(sampleValue(samples, 'bus_messages_published_total', { topic: 'trades.submitted' })).toBe(3);
    expect(sampleValue(samples, 'bus_messages_consumed_total', labels)).toBe(1);
    expect(sampleValue(samples, 'bus_messages_failed_total', labels)).toBe(2);
    expect(sampleValue(samples, 'bus_messages_dead_lettered_total', labels)).toBe(1);
  });

  it('when a group subscribes, then its consumed, failed and dead-lettered series exist at zero', async () => {
    const metrics = createMetrics({ service: 'validation', collectDefaultMetrics: false });

    metrics.busObserver.subscribed?.('trades.submitted', 'validation');
    const samples = parseExposition(await metrics.registry.metrics());

    const labels = { topic: 'trades.submitted', group: 'validation' };
    expect(sampleValue(samples, 'bus_messages_consumed_total', labels)).toBe(0);
    expect(sampleValue(samples, 'bus_messages_failed_total', labels)).toBe(0);
    expect(sampleValue(samples, 'bus_messages_dead_lettered_total', labels)).toBe(0);
  });

  it('when the bus samples consumer lag, then the gauge holds the latest value per topic, partition and group', async () => {
    const metrics = createMetrics({ service: 'validation', collectDefaultMetrics: false });

    metrics.busObserver.lag?.('trades.submitted', 0, 'validation', 12);
    metrics.busObserver.lag?.('trades.submitted', 0, 'validation', 3);
    metrics.busObserver.lag?.('trades.submitted', 1, 'validation', 0);
    const samples = parseExposition(await metrics.registry.metrics());

    const lag = (partition: string) =>
      sampleValue(samples, 'bus_consumer_lag_messages', {
        topic: 'trades.submitted',
        partition,
        group: 'validation',
      });
    expect(lag('0')).toBe(3);
    expect(lag('1')).toBe(0);
  });

  it('when the store reports calls and writes, then latency is a histogram per operation, table and outcome and writes count per table', async () => {
    const metrics = createMetrics({ service: 'trades', collectDefaultMetrics: false });

    metrics.storeObserver.called('PutItem', 'trades', 0.004, 'success');
    metrics.storeObserver.called('PutItem', 'trades', 0.02, 'conditional_check_failed');
    metrics.storeObserver.itemsWritten('trades', 1);
    metrics.storeObserver.itemsWritten('trades', 25);
    const samples = parseExposition(await metrics.registry.metrics());

    expect(
      sampleValue(samples, 'dynamodb_request_duration_seconds_bucket', {
        operation: 'PutItem',
        table: 'trades',
        outcome: 'success',
        le: '0.005',
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, 'dynamodb_request_duration_seconds_count', {
        operation: 'PutItem',
        outcome: 'conditional_check_failed',
      }),
    ).toBe(1);
    expect(sampleValue(samples, 'dynamodb_item_writes_total', { table: 'trades', service: 'trades' })).toBe(
      26,
    );
  });

  it('when a service asks twice for the same instrument, then it gets the same one', () => {
    const metrics = createMetrics({ service: 'trades', collectDefaultMetrics: false });
    const options = {
      name: 'trades_accepted_total',
      help: 'Trades accepted.',
      labelNames: ['channel'] as const,
    };

    const first = metrics.counter(options);
    const latency = metrics.histogram({ name: 'trade_ack_seconds', help: 'Ack latency.', buckets: [0.1, 1] });

    expect(metrics.counter(options)).toBe(first);
    expect(metrics.histogram({ name: 'trade_ack_seconds', help: 'Ack latency.' })).toBe(latency);
    expect(() => metrics.gauge({ name: 'trades_accepted_total', help: 'clash' })).toThrow(/another type/);
  });

  it('when two services create metrics in one process, then their registries are separate', async () => {
    const a = createMetrics({ service: 'a', collectDefaultMetrics: false });
    const b = createMetrics({ service: 'b', collectDefaultMetrics: false });

    a.busObserver.published('t', 1);

    expect(
      sampleValue(parseExposition(await b.registry.metrics()), 'bus_messages_published_total', {}),
    ).toBeUndefined();
  });
});
