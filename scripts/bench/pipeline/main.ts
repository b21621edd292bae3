/**
 * The benchmark's measuring half (scripts/bench/pipeline.sh starts the shape, runs this, stops everything):
 * raw DynamoDB Local and Kafka ceilings, the end-to-end maximum, latency at 25/50/75% of it, item writes
 * per trade and peak RSS; prints the table, writes .run/bench/result.json and the pipeline block of
 * docs/benchmarks.md.
 * usage: node -r tests/support/register-ts.cjs scripts/bench/pipeline/main.ts
 */
import { randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { buildUniverse, MixStream, TradeFactory } from '../../../tests/load/lib/trade-mix.ts';
import { readBlock, writeBlock } from '../lib/doc-block';
import { describeMachine } from '../lib/machine';
import {
  counterByLabels,
  counterSum,
  measureMax,
  measureMaxBatch,
  measureRate,
  prepareUniverse,
  type PipelineApi,
  type RateResult,
} from './end-to-end';
import { JsonClient } from './http-json';
import { cpuPer, cpuSnapshot, loadNow, peakRssMiB, shapeProcesses } from './process-stats';
import { measureRawDynamo } from './raw-dynamodb';
import { measureRawKafka } from './raw-kafka';
import { BLOCK_NAME, renderMarkdown, renderTable, type BenchResult } from './report';

const ROOT = join(__dirname, '..', '..', '..');
const env = process.env;
const num = (name: string, fallback: number): number => {
  const value = Number(env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

/** The bus's KAFKA_NAMESPACE, when the shape runs with one: topics and groups carry it as a prefix. */
const NAMESPACE = env.KAFKA_NAMESPACE ?? '';
const onBroker = (name: string): string => (NAMESPACE === '' ? name : `${NAMESPACE}.${name}`);

const settings = {
  brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(','),
  dynamodb: env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000',
  gatewayUrl: env.BENCH_GATEWAY_URL ?? 'http://127.0.0.1:8080',
  adminUrl: env.BENCH_GATEWAY_ADMIN_URL ?? 'http://127.0.0.1:8090',
  adminToken: env.GATEWAY_ADMIN_TOKEN ?? '',
  services: {
    trades: env.BENCH_TRADES_URL ?? 'http://127.0.0.1:8081',
    'reference-data': env.BENCH_REFERENCE_DATA_URL ?? 'http://127.0.0.1:8082',
    validation: env.BENCH_VALIDATION_URL ?? 'http://127.0.0.1:8083',
  },
  maxTrades: num('BENCH_MAX_TRADES', 3000),
  concurrency: num('BENCH_CONCURRENCY', 64),
  phaseSeconds: num('BENCH_PHASE_SECONDS', 15),
  /** A maximum run stops starting trades after this long, however many of BENCH_MAX_TRADES are left. */
  maxSeconds: num('BENCH_MAX_SECONDS', 45),
  rawSeconds: num('BENCH_RAW_SECONDS', 6),
  doc: env.BENCH_DOC ?? join(ROOT, 'docs', 'benchmarks.md'),
  writeDoc: env.BENCH_WRITE_DOC !== '0',
  seed: num('BENCH_SEED', 1),
  label: env.BENCH_LABEL ?? '',
  nice: env.BENCH_NICE === undefined || env.BENCH_NICE === '' ? undefined : Number(env.BENCH_NICE),
};

/** H6a's DynamoDB item-write counter, summed over every process that exports it. */
const ITEM_WRITES_METRIC = env.BENCH_ITEM_WRITES_METRIC ?? 'dynamodb_item_writes_total';
/** Its companion: one observation per DynamoDB call, by operation and table. */
const STORE_CALLS_METRIC = 'dynamodb_request_duration_seconds_count';
/** How long the processes are watched doing nothing, for their background CPU. */
const IDLE_WINDOW_MS = 3000;
const ALL_SCOPES = ['trades:read', 'trades:write', 'reference:read', 'reference:write'];

function say(text: string): void {
  process.stdout.write(`[bench] ${text}\n`);
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** Fails when more than one member consumes a shared group: another Tradeflow would take this run's trades. */
async function requireOnlyOurConsumers(): Promise<void> {
  const admin = new Kafka({
    clientId: 'bench-guard',
    brokers: settings.brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([onBroker('validation'), onBroker('trades-status')]);
    const busy = groups.filter((g) => g.members.length > 1);
    if (busy.length > 0)
      throw new Error(
        `consumer group(s) ${busy.map((g) => `${g.groupId} (${g.members.length} members)`).join(', ')} have members ` +
          'besides this shape (an e2e run? another `make up`?): they would take trades and skew every figure',
      );
  } finally {
    await admin.disconnect();
  }
}

/** A counter summed over every service's /metrics per label combination; undefined when nobody exports it. */
async function scrape(
  urls: string[],
  name: string,
  labels: string[],
): Promise<Record<string, number> | undefined> {
  let total: Record<string, number> | undefined;
  for (const url of urls) {
    try {
      const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
      if (!text.includes(`${name}{`)) continue;
      total ??= {};
      for (const [key, n] of Object.entries(counterByLabels(text, name, labels)))
        total[key] = (total[key] ?? 0) + n;
    } catch {
      // A process without /metrics (or gone) adds nothing.
    }
  }
  return total;
}

/** What the store did: item writes per table, calls per operation and table. */
interface StoreCounters {
  writes?: Record<string, number>;
  calls?: Record<string, number>;
}

async function storeCounters(urls: string[]): Promise<StoreCounters> {
  const writes = await scrape(urls, ITEM_WRITES_METRIC, ['table']);
  const calls = await scrape(urls, STORE_CALLS_METRIC, ['operation', 'table']);
  return { ...(writes === undefined ? {} : { writes }), ...(calls === undefined ? {} : { calls }) };
}

/** Each key's increase between two readings. */
function increase(
  before: Record<string, number> = {},
  after: Record<string, number> = {},
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(after))
    if (n - (before[key] ?? 0) > 0) out[key] = n - (before[key] ?? 0);
  return out;
}

/** The gateway with a consumer made for this run (every account, every scope, an unthrottled plan). */
async function viaGateway(runId: string): Promise<PipelineApi> {
  if (settings.adminToken === '')
    throw new Error('GATEWAY_ADMIN_TOKEN is not set: cannot create the bench consumer');
  const admin = new JsonClient(settings.adminUrl, { authorization: `Bearer ${settings.adminToken}` }, 2);
  try {
    const plan = { ratePerSecond: 1_000_000, burst: 1_000_000, dailyQuota: 1_000_000_000 };
    const created = await admin.send('POST', '/admin/v1/plans', { name: 'bench', ...plan });
    if (created.status === 409) await admin.send('PATCH', '/admin/v1/plans/bench', plan);
    else if (created.status !== 201) throw new Error(`creating the bench plan answered ${created.status}`);
    const consumerId = `bench-${runId.toLowerCase()}`;
    const consumer = await admin.send('POST', '/admin/v1/consumers', {
      id: consumerId,
      name: `make bench run ${runId}`,
      accounts: '*',
      scopes: ALL_SCOPES,
      plan: 'bench',
    });
    if (consumer.status !== 201) throw new Error(`creating the bench consumer answered ${consumer.status}`);
    const key = await admin.send<{ key?: string }>('POST', `/admin/v1/consumers/${consumerId}/keys`);
    const apiKey = key.body?.key;
    if (apiKey === undefined) throw new Error(`issuing the bench key answered ${key.status}`);
    const client = new JsonClient(settings.gatewayUrl, { 'x-api-key': apiKey }, settings.concurrency);
    return {
      via: `through the gateway (${settings.gatewayUrl}, API key)`,
      trades: client,
      reference: client,
      tradesMetricsUrl: `${settings.services.trades}/metrics`,
    };
  } finally {
    await admin.close();
  }
}

/** The services directly, with the identity headers the gateway would forward. */
function viaServices(): PipelineApi {
  const identity = {
    'x-tradeflow-consumer': 'bench',
    'x-tradeflow-accounts': '*',
    'x-tradeflow-scopes': ALL_SCOPES.join(' '),
  };
  return {
    via: `to the trades service directly (${settings.services.trades}, identity headers; no gateway running)`,
    trades: new JsonClient(settings.services.trades, identity, settings.concurrency),
    reference: new JsonClient(settings.services['reference-data'], identity, 4),
    tradesMetricsUrl: `${settings.services.trades}/metrics`,
  };
}

async function main(): Promise<void> {
  const began = performance.now();
  const machine = describeMachine();
  const runId = `B${randomInt(36 ** 4)
    .toString(36)
    .toUpperCase()
    .padStart(4, '0')}`;
  say(`run ${runId} on ${machine.cores} cores, load average ${machine.loadAverage.toFixed(2)}`);
  await requireOnlyOurConsumers();

  const processes = [...shapeProcesses(ROOT), { name: 'bench driver (this process)', pid: process.pid }];
  // The raw measures use only the infrastructure and this process; the services idle meanwhile.
  const rawParts = processes.filter((p) => /JVM|bench driver/.test(p.name));
  const cpuRaw0 = cpuSnapshot(rawParts);
  say(`raw DynamoDB Local BatchWriteItem for ${settings.rawSeconds} s`);
  const rawDynamo = await measureRawDynamo({
    endpoint: settings.dynamodb,
    runId,
    durationMs: settings.rawSeconds * 1000,
  });
  const cpuRaw1 = cpuSnapshot(rawParts);
  say(`  ${Math.round(rawDynamo.itemsPerSecond)} items/s`);
  say(`raw kafkajs produce→consume for ${settings.rawSeconds} s`);
  const rawKafka = await measureRawKafka({
    brokers: settings.brokers,
    runId,
    durationMs: settings.rawSeconds * 1000,
    submittedTopic: onBroker('trades.submitted'),
  });
  const cpuRaw2 = cpuSnapshot(rawParts);
  say(`  ${Math.round(rawKafka.messagesPerSecond)} msg/s`);

  const gateway = await answers(`${settings.gatewayUrl}/readyz`);
  const api = gateway ? await viaGateway(runId) : viaServices();
  say(`trades submitted ${api.via}`);
  const metricUrls = [settings.gatewayUrl, ...Object.values(settings.services)];
  try {
    const universe = buildUniverse(runId, new Date());
    // DEMO-1 is shared with earlier runs (its daily total, probable duplicates): the run's own accounts only.
    const factory = new TradeFactory(universe, settings.seed, { demoAccount: false });
    const stream = new MixStream(factory, { seed: settings.seed });
    await prepareUniverse(api, universe, factory);
    say('reference data in the caches; measuring the maximum');

    const storeBefore = await storeCounters(metricUrls);
    const appliedBefore = counterSum(
      await (await fetch(api.tradesMetricsUrl)).text(),
      'trades_status_updates_total',
      'result="applied"',
    );
    // What each process burns with nothing to do, to take off the per-trade figures below.
    const idle0 = cpuSnapshot(processes);
    await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
    const idlePerSecond = cpuPer(processes, idle0, cpuSnapshot(processes), IDLE_WINDOW_MS / 1000);
    const cpuBefore = cpuSnapshot(processes);
    const max = await measureMax(api, stream, settings.maxTrades, settings.concurrency, settings.maxSeconds);
    const cpuAfterMax = cpuSnapshot(processes);
    say(
      `  POST /v1/trades: ${Math.round(max.tradesPerSecond)} trades/s (${max.accepted} in ${max.seconds.toFixed(1)} s, ${max.errors} errors)`,
    );
    const maxBatch = await measureMaxBatch(api, stream, settings.maxTrades, 100, 4, settings.maxSeconds);
    const cpuAfterBatch = cpuSnapshot(processes);
    say(`  POST /v1/trades/batch: ${Math.round(maxBatch.tradesPerSecond)} trades/s`);

    const rates: RateResult[] = [];
    for (const share of [0.25, 0.5, 0.75]) {
      const rate = Math.max(1, max.tradesPerSecond * share);
      say(`${share * 100}% of max: ${Math.round(rate)} trades/s for ${settings.phaseSeconds} s`);
      const phase = await measureRate(api, stream, share, rate, settings.phaseSeconds);
      say(
        `  submit→final p50 ${Math.round(phase.finalLatency.p50)} / p95 ${Math.round(phase.finalLatency.p95)} / p99 ${Math.round(phase.finalLatency.p99)} ms`,
      );
      rates.push(phase);
    }
    const storeAfter = await storeCounters(metricUrls);
    const appliedAfter = counterSum(
      await (await fetch(api.tradesMetricsUrl)).text(),
      'trades_status_updates_total',
      'result="applied"',
    );

    const result: BenchResult = {
      runId,
      machine,
      loadAfter: loadNow(),
      via: api.via,
      rawDynamo,
      rawKafka,
      max,
      maxBatch,
      rates,
      ...(storeAfter.writes === undefined
        ? {}
        : {
            store: {
              trades: appliedAfter - appliedBefore,
              writesByTable: increase(storeBefore.writes, storeAfter.writes),
              callsByOperation: increase(storeBefore.calls, storeAfter.calls),
            },
          }),
      cpu: {
        rawDynamoPerItem: cpuPer(rawParts, cpuRaw0, cpuRaw1, rawDynamo.items),
        rawKafkaPerMessage: cpuPer(rawParts, cpuRaw1, cpuRaw2, rawKafka.messages),
        idlePerSecond,
        single: cpuPer(processes, cpuBefore, cpuAfterMax, max.accepted, {
          idlePerSecond,
          seconds: max.seconds,
        }),
        batch: cpuPer(processes, cpuAfterMax, cpuAfterBatch, maxBatch.accepted, {
          idlePerSecond,
          seconds: maxBatch.seconds,
        }),
      },
      rss: processes.map((p) => ({ ...p, peakMiB: peakRssMiB(p.pid) })),
      seconds: (performance.now() - began) / 1000,
      ...(settings.nice === undefined ? {} : { nice: settings.nice }),
    };
    process.stdout.write(`\n${renderTable(result)}\n\n`);
    const out = join(ROOT, '.run', 'bench');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
    if (settings.writeDoc) {
      const previous = readBlock(settings.doc, BLOCK_NAME) ?? '';
      writeBlock(settings.doc, BLOCK_NAME, renderMarkdown(result, previous, settings.label));
      say(`wrote the ${BLOCK_NAME} block of ${settings.doc}`);
    }
  } finally {
    await api.trades.close();
    if (api.reference !== api.trades) await api.reference.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
