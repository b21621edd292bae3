// The pipeline benchmark's arithmetic and report: percentiles, counters read from /metrics text, the ratios
// and target verdicts, and the profile file names it maps to services.
import { pidOfProfile } from '../../../scripts/bench/pipeline/cpu-profile-top.ts';
import {
  counterByLabels,
  counterSum,
  percentile,
  percentiles,
  type RateResult,
} from '../../../scripts/bench/pipeline/end-to-end.ts';
import { mapLimitUntil } from '../../../scripts/bench/pipeline/http-json.ts';
import {
  cpuCeiling,
  ratios,
  renderMarkdown,
  renderTable,
  type BenchResult,
} from '../../../scripts/bench/pipeline/report.ts';

const METRICS = `# HELP trades_status_updates_total Validation outcomes applied.
# TYPE trades_status_updates_total counter
trades_status_updates_total{result="applied",service="trades"} 120
trades_status_updates_total{result="ignored",service="trades"} 3
trades_status_updates_total_created{result="applied"} 1700000000
dynamodb_item_writes_total{table="trades",service="trades"} 240
dynamodb_item_writes_total{table="idempotency",service="trades"} 10
dynamodb_item_writes_total{table="trades",service="other"} 5
dynamodb_request_duration_seconds_count{operation="PutItem",table="trades",outcome="ok"} 6
dynamodb_request_duration_seconds_count{operation="PutItem",table="trades",outcome="error"} 1
dynamodb_request_duration_seconds_count{operation="BatchWriteItem",table="outcomes",outcome="ok"} 2
dynamodb_request_duration_seconds_sum{operation="BatchWriteItem",table="outcomes",outcome="ok"} 0.5
`;

function phase(share: number, p99: number): RateResult {
  const lat = { p50: 20, p95: 60, p99, max: p99 + 10 };
  return {
    share,
    targetRate: 100 * share,
    offeredRate: 100 * share,
    accepted: 1000,
    errors: 0,
    asPlanned: 1000,
    final: 1000,
    unplanned: [],
    submitLatency: lat,
    finalLatency: lat,
  };
}

function result(maxRate: number, p99AtHalf: number): BenchResult {
  const max = {
    submitted: 3000,
    accepted: 2900,
    refused: 100,
    errors: 0,
    concurrency: 64,
    seconds: 10,
    tradesPerSecond: maxRate,
  };
  return {
    runId: 'BTEST',
    machine: {
      cores: 2,
      cpuModel: 'Test CPU',
      memoryGiB: 8,
      node: 'v20.20.0',
      date: '2026-01-01T00:00:00Z',
      loadAverage: 1.5,
      commit: 'abc1234',
    },
    loadAfter: 2.5,
    via: 'through the gateway',
    rawDynamo: { items: 60_000, seconds: 10, itemsPerSecond: 6000, writers: 4, retries: 0 },
    rawKafka: { messages: 100_000, seconds: 10, messagesPerSecond: 10_000, partitions: 6, batchSize: 100 },
    max,
    rates: [phase(0.25, 50), phase(0.5, p99AtHalf), phase(0.75, 400)],
    store: {
      trades: 200,
      writesByTable: { trades: 400, outcomes: 100 },
      callsByOperation: { 'PutItem trades': 200, 'UpdateItem trades': 200, 'BatchWriteItem outcomes': 8 },
    },
    cpu: {
      single: { trades: 6, validation: 3, gateway: 1 },
      batch: { trades: 2, validation: 2, gateway: 0.1 },
    },
    rss: [{ name: 'trades', pid: 42, peakMiB: 180.4 }],
    seconds: 200,
  };
}

describe('pipeline benchmark report', () => {
  it('when percentiles are taken, then they are nearest-rank values of the sample', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentiles(values)).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('when a /metrics text is read, then only the named counter counts, by label or in total', () => {
    expect(counterSum(METRICS, 'trades_status_updates_total', 'result="applied"')).toBe(120);
    expect(counterSum(METRICS, 'trades_status_updates_total')).toBe(123);
    expect(
      counterByLabels(METRICS, 'dynamodb_request_duration_seconds_count', ['operation', 'table']),
    ).toEqual({
      'PutItem trades': 7,
      'BatchWriteItem outcomes': 2,
    });
    expect(counterByLabels(METRICS, 'dynamodb_item_writes_total', ['table'])).toEqual({
      trades: 245,
      idempotency: 10,
    });
  });

  it('when the targets are met, then the report says so, with the ratios to both raw ceilings', () => {
    const good = result(3100, 200);
    expect(ratios(good).toStore).toBeCloseTo(3100 / 6000);
    expect(ratios(good).toKafka).toBeCloseTo(0.31);
    const md = renderMarkdown(good);
    expect(md).toContain('| end-to-end / raw DynamoDB (target ≥ 0.5) | 0.52 (met) |');
    expect(md).toContain('| p99 submit→final at 50% of max (target ≤ 250 ms) | 200 ms (met) |');
    expect(md).toContain('| DynamoDB item writes per trade | 2.50 (500 writes / 200 trades) |');
    expect(md).toContain('|   to table trades | 2.00 |');
    expect(md).toContain('| DynamoDB calls per trade | 2.04 |');
    expect(md).toContain('|   BatchWriteItem outcomes | 0.04 |');
    expect(md).toContain(
      '2 cores (Test CPU), 8 GiB memory, Node v20.20.0, 2026-01-01T00:00:00Z, commit abc1234, load average 1.50 → 2.50',
    );
  });

  it('when the raw runs measured CPU per item and message, then the ceiling their costs allow is printed', () => {
    const measured = result(1200, 900);
    // 0.5 ms/item keeps 2 cores busy at 4,000 items/s; 2.5 writes and 2 messages at 0.1 ms cost 1.45 ms.
    measured.rawDynamo.itemsPerSecond = 4000;
    measured.cpu = {
      ...measured.cpu!,
      rawDynamoPerItem: { dynamodb: 0.4, client: 0.1 },
      rawKafkaPerMessage: { kafka: 0.1 },
    };
    const ceiling = cpuCeiling(measured);
    expect(ceiling?.ratio).toBeCloseTo(0.5 / 1.45);
    expect(ceiling?.ratioAtTwoWrites).toBeCloseTo(0.5 / 1.2);
    expect(ceiling?.rawCoresBusy).toBeCloseTo(2);
    expect(renderMarkdown(measured)).toContain(
      "| most end-to-end / raw DynamoDB these cores allow (2.50 item writes + 2 Kafka messages per trade at the raw runs' CPU, services free; raw DynamoDB kept 2.0 of 2 cores busy) | 0.34 (0.42 at 2 writes/trade) |",
    );
    // A raw run that left a core partly idle measured fewer items/s than its CPU allows: the ceiling rises.
    measured.rawDynamo.itemsPerSecond = 3000;
    expect(cpuCeiling(measured)?.ratio).toBeCloseTo(2000 / 1.45 / 3000);
    expect(cpuCeiling(measured)?.rawCoresBusy).toBeCloseTo(1.5);
    expect(cpuCeiling(result(1200, 900))).toBeUndefined();
  });

  it('when the targets are missed, then the report says NOT met for each', () => {
    const table = renderTable(result(1200, 900));
    expect(table).toMatch(/end-to-end \/ raw DynamoDB \(target ≥ 0\.5\)\s+0\.20 \(NOT met\)/);
    expect(table).toMatch(/p99 submit→final at 50% of max \(target ≤ 250 ms\)\s+900 ms \(NOT met\)/);
    expect(table).toMatch(/trades\s+42\s+180 MiB/);
    expect(table).toMatch(/all\s+10\.00\s+4\.10/);
    expect(table).toMatch(/trades\/s 2 idle cores would allow\s+200\s+488/);
  });

  it('when a block is rewritten, then this run heads the history and earlier rows are kept', () => {
    const first = renderMarkdown(result(1200, 900), '', 'before: as landed');
    const second = renderMarkdown(result(3100, 200), first, 'after | batching');
    const rows = second.split('\n').filter((line) => /^\| \d{4}-/.test(line));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('| 3,100 |');
    expect(rows[0]).toContain('| after / batching |');
    expect(rows[1]).toContain('| before: as landed |');
  });

  it('when a closed-loop run reaches its deadline, then no further item starts and the finished ones are kept', async () => {
    const started: number[] = [];
    const deadline = Date.now() + 50;
    const results = await mapLimitUntil([...Array(1000).keys()], 2, deadline, async (n) => {
      started.push(n);
      await new Promise((resolve) => setTimeout(resolve, 10));
      return n * 2;
    });
    expect(started.length).toBeGreaterThan(0);
    expect(started.length).toBeLessThan(1000);
    expect(results).toEqual(started.map((n) => n * 2));
  });

  it('when a profile file is named by Node, then its pid is read from the name', () => {
    expect(pidOfProfile('CPU.20261126.180210.16785.0.001.cpuprofile')).toBe('16785');
    expect(pidOfProfile('notes.txt')).toBeUndefined();
  });
});
