/**
 * The benchmark's report: one result, printed as a terminal table and as the content of the `pipeline`
 * block of docs/benchmarks.md (written with scripts/bench/lib/doc-block.ts, which touches nothing outside
 * the block's markers). Pure functions, unit-tested in tests/load/test/bench-report.test.ts.
 */
import { machineLine as describeMachineLine, type Machine } from '../lib/machine';
import type { MaxResult, RateResult } from './end-to-end';
import type { RawDynamoResult } from './raw-dynamodb';
import type { RawKafkaResult } from './raw-kafka';

/** The name of this benchmark's block in docs/benchmarks.md (`<!-- bench:pipeline:start -->`). */
export const BLOCK_NAME = 'pipeline';

/** The targets of issue 6. */
export const TARGETS = {
  /** End-to-end trades/s at least this share of raw BatchWriteItem items/s. */
  throughputShareOfStore: 0.5,
  /** p99 submit→final at 50% of the maximum rate, ms. */
  p99AtHalfMs: 250,
};

/** Everything one run measured. */
export interface BenchResult {
  runId: string;
  machine: Machine;
  /** 1-minute load average when the measuring ended (the machine carries its value at the start). */
  loadAfter: number;
  /** How the trades were submitted (gateway or services directly). */
  via: string;
  rawDynamo: RawDynamoResult;
  rawKafka: RawKafkaResult;
  max: MaxResult;
  maxBatch?: MaxResult;
  rates: RateResult[];
  /**
   * What the store did over the end-to-end phases, from the services' counters (undefined when they export
   * none): item writes per table and calls per `<operation> <table>`, for `trades` final trades.
   */
  store?: { trades: number; writesByTable: Record<string, number>; callsByOperation: Record<string, number> };
  /**
   * CPU ms (user + system, all threads) per accepted trade of each process during the two maximum runs:
   * what a trade costs, much less sensitive to other work on the machine than trades/s.
   */
  cpu?: {
    /** CPU ms per second each process uses with nothing sent (taken off the per-trade figures). */
    idlePerSecond?: Record<string, number>;
    single: Record<string, number>;
    batch: Record<string, number>;
    /** The same for the raw measures, per item written and per message produced and consumed. */
    rawDynamoPerItem?: Record<string, number>;
    rawKafkaPerMessage?: Record<string, number>;
  };
  rss: { name: string; pid: number; peakMiB?: number }[];
  seconds: number;
  /** The scheduling priority of every process the run started (BENCH_NICE), when one was set. */
  nice?: number;
}

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const dec = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const ms = (n: number): string => (Number.isFinite(n) ? `${Math.round(n)}` : 'n/a');

/** The ratios the targets are about. */
export function ratios(result: BenchResult): { toStore: number; toKafka: number; batchToStore?: number } {
  return {
    toStore: result.max.tradesPerSecond / result.rawDynamo.itemsPerSecond,
    toKafka: result.max.tradesPerSecond / result.rawKafka.messagesPerSecond,
    ...(result.maxBatch === undefined
      ? {}
      : { batchToStore: result.maxBatch.tradesPerSecond / result.rawDynamo.itemsPerSecond }),
  };
}

/** Kafka messages one trade costs: its `trades.submitted` event and its outcome. */
export const KAFKA_MESSAGES_PER_TRADE = 2;

/**
 * The most end-to-end / raw DynamoDB a machine allows when the store and the bus share its cores: a trade
 * costs at least its item writes and its Kafka messages at the CPU the raw runs measured per item and per
 * message (infrastructure + client), with nothing at all for the services, so the cores carry at most
 * `cores / that` trades per second; divided by the raw items/s measured. `rawCoresBusy` says how close the
 * raw run itself came to using every core.
 */
export function cpuCeiling(
  result: BenchResult,
): { ratio: number; ratioAtTwoWrites: number; writesPerTrade: number; rawCoresBusy: number } | undefined {
  const { cpu, store } = result;
  if (cpu?.rawDynamoPerItem === undefined || cpu.rawKafkaPerMessage === undefined) return undefined;
  if (store === undefined || store.trades === 0) return undefined;
  const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const perItem = total(cpu.rawDynamoPerItem);
  const perMessage = total(cpu.rawKafkaPerMessage);
  const writesPerTrade = total(store.writesByTable) / store.trades;
  const ratioAt = (writes: number) =>
    (result.machine.cores * 1000) /
    (writes * perItem + KAFKA_MESSAGES_PER_TRADE * perMessage) /
    result.rawDynamo.itemsPerSecond;
  return {
    ratio: ratioAt(writesPerTrade),
    ratioAtTwoWrites: ratioAt(2),
    writesPerTrade,
    rawCoresBusy: (result.rawDynamo.itemsPerSecond * perItem) / 1000,
  };
}

/** The phase at 50% of the maximum, if it ran. */
function halfPhase(result: BenchResult): RateResult | undefined {
  return result.rates.find((r) => Math.abs(r.share - 0.5) < 1e-9);
}

function verdict(met: boolean): string {
  return met ? 'met' : 'NOT met';
}

/** Rows of (what, figure) shared by the terminal table and the markdown. */
function summaryRows(result: BenchResult): [string, string][] {
  const r = ratios(result);
  const { rawDynamo: d, rawKafka: k, max } = result;
  const rows: [string, string][] = [
    [
      `raw DynamoDB Local BatchWriteItem (25 items/call, ${d.writers} calls in flight)`,
      `${int(d.itemsPerSecond)} items/s`,
    ],
    [
      `raw kafkajs produce→consume (${k.partitions} partitions, ${k.batchSize} records/sendBatch)`,
      `${int(k.messagesPerSecond)} msg/s`,
    ],
    [
      `end-to-end max, POST /v1/trades (${max.concurrency} in flight, ${int(max.accepted)} trades)`,
      `${int(max.tradesPerSecond)} trades/s`,
    ],
  ];
  if (result.maxBatch !== undefined)
    rows.push([
      `end-to-end max, POST /v1/trades/batch (100/request, ${result.maxBatch.concurrency} in flight)`,
      `${int(result.maxBatch.tradesPerSecond)} trades/s`,
    ]);
  rows.push(
    [
      `end-to-end / raw DynamoDB (target ≥ ${TARGETS.throughputShareOfStore})`,
      `${dec(r.toStore)} (${verdict(r.toStore >= TARGETS.throughputShareOfStore)})`,
    ],
    ['end-to-end / raw Kafka', dec(r.toKafka)],
  );
  if (r.batchToStore !== undefined) rows.push(['end-to-end via batch / raw DynamoDB', dec(r.batchToStore)]);
  const ceiling = cpuCeiling(result);
  if (ceiling !== undefined)
    rows.push([
      `most end-to-end / raw DynamoDB these cores allow (${dec(ceiling.writesPerTrade)} item writes + ` +
        `${KAFKA_MESSAGES_PER_TRADE} Kafka messages per trade at the raw runs' CPU, services free; raw DynamoDB ` +
        `kept ${dec(ceiling.rawCoresBusy, 1)} of ${result.machine.cores} cores busy)`,
      `${dec(ceiling.ratio)} (${dec(ceiling.ratioAtTwoWrites)} at 2 writes/trade)`,
    ]);
  const store = result.store;
  if (store === undefined || store.trades === 0) {
    rows.push(['DynamoDB item writes per trade', 'n/a (no item-write counter in /metrics)']);
  } else {
    const per = (n: number) => dec(n / store.trades);
    const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    const sorted = (r: Record<string, number>) => Object.entries(r).sort((a, b) => b[1] - a[1]);
    const writes = sum(store.writesByTable);
    rows.push([
      'DynamoDB item writes per trade',
      `${per(writes)} (${int(writes)} writes / ${int(store.trades)} trades)`,
    ]);
    for (const [table, n] of sorted(store.writesByTable)) rows.push([`  to table ${table}`, per(n)]);
    rows.push(['DynamoDB calls per trade', per(sum(store.callsByOperation))]);
    for (const [call, n] of sorted(store.callsByOperation)) rows.push([`  ${call}`, per(n)]);
  }
  const half = halfPhase(result);
  if (half !== undefined)
    rows.push([
      `p99 submit→final at 50% of max (target ≤ ${TARGETS.p99AtHalfMs} ms)`,
      `${ms(half.finalLatency.p99)} ms (${verdict(half.finalLatency.p99 <= TARGETS.p99AtHalfMs)})`,
    ]);
  return rows;
}

function rateRows(result: BenchResult): string[][] {
  return result.rates.map((p) => [
    `${Math.round(p.share * 100)}%`,
    `${int(p.targetRate)}/s`,
    `${int(p.offeredRate)}/s`,
    int(p.accepted),
    `${ms(p.submitLatency.p50)} / ${ms(p.submitLatency.p95)} / ${ms(p.submitLatency.p99)}`,
    `${ms(p.finalLatency.p50)} / ${ms(p.finalLatency.p95)} / ${ms(p.finalLatency.p99)}`,
    `${int(p.asPlanned)}/${int(p.final)}`,
    int(p.errors),
  ]);
}

const RATE_HEADER = [
  'share of max',
  'target',
  'offered',
  'trades',
  'submit p50/p95/p99 ms',
  'submit→final p50/p95/p99 ms',
  'final as planned',
  'errors',
];

/** CPU per trade by process for both maximum runs, a total, and the rate the machine's cores allow. */
function cpuRows(result: BenchResult): string[][] {
  const cpu = result.cpu;
  if (cpu === undefined) return [];
  const names = [...new Set([...Object.keys(cpu.single), ...Object.keys(cpu.batch)])];
  const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const cores = result.machine.cores;
  const raw = (r: Record<string, number> | undefined, what: string): string[][] =>
    r === undefined
      ? []
      : [
          [
            `raw ${what} (infrastructure + client)`,
            `${dec(total(r), 3)} per ${what === 'DynamoDB' ? 'item' : 'message'}`,
            `${int((cores * 1000) / total(r))}/s on ${cores} idle cores`,
            '',
          ],
        ];
  return [
    ['process', 'CPU ms/trade, POST /v1/trades', 'CPU ms/trade, batch', 'idle CPU ms/s'],
    ...names.map((n) => [
      n,
      dec(cpu.single[n] ?? Number.NaN),
      dec(cpu.batch[n] ?? Number.NaN),
      dec(cpu.idlePerSecond?.[n] ?? Number.NaN, 1),
    ]),
    ['all', dec(total(cpu.single)), dec(total(cpu.batch)), dec(total(cpu.idlePerSecond ?? {}), 1)],
    [
      `trades/s ${cores} idle cores would allow`,
      int((cores * 1000) / total(cpu.single)),
      int((cores * 1000) / total(cpu.batch)),
      '',
    ],
    ...raw(cpu.rawDynamoPerItem, 'DynamoDB'),
    ...raw(cpu.rawKafkaPerMessage, 'Kafka'),
  ];
}

function machineLine(result: BenchResult): string {
  const m = result.machine;
  return `${describeMachineLine(m)}, ${m.date}, commit ${m.commit}, load average ${dec(m.loadAverage)} → ${dec(result.loadAfter)}`;
}

function pad(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The terminal table. */
export function renderTable(result: BenchResult): string {
  return [
    `Tradeflow pipeline benchmark, run ${result.runId}, ${Math.round(result.seconds)} s`,
    `machine: ${machineLine(result)}`,
    `trades submitted ${result.via}`,
    '',
    pad(summaryRows(result)),
    '',
    pad([RATE_HEADER, ...rateRows(result)]),
    ...result.rates.flatMap((p) =>
      p.unplanned.map((u) => `  at ${Math.round(p.share * 100)}%, not as planned: ${u}`),
    ),
    '',
    ...(result.cpu === undefined ? [] : [pad(cpuRows(result)), '']),
    pad([
      ['process', 'pid', 'peak RSS (VmHWM)'],
      ...result.rss.map((p) => [
        p.name,
        String(p.pid),
        p.peakMiB === undefined ? 'n/a' : `${dec(p.peakMiB, 0)} MiB`,
      ]),
    ]),
  ].join('\n');
}

function markdownTable(rows: string[][]): string {
  const [header, ...body] = rows;
  if (header === undefined) return '';
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n');
}

/** The pipeline block's content (between the markers). */
export function renderMarkdown(result: BenchResult, previousBlock = '', note = ''): string {
  const nice =
    result.nice === undefined
      ? ''
      : ` Every process the run started had scheduling priority nice ${result.nice} (BENCH_NICE).`;
  return [
    '## Pipeline',
    '',
    `\`make bench\` (scripts/bench/pipeline.sh), run ${result.runId} (${Math.round(result.seconds)} s) on ${machineLine(result)}. ` +
      `Trades submitted ${result.via}; every process on loopback. A busy machine (load average well above its ` +
      `core count) lowers every figure; the ratios hold better than the absolute numbers.${nice} ` +
      'How each figure is taken: [load-testing.md](load-testing.md#the-benchmark-make-bench).',
    '',
    markdownTable([['measure', 'figure'], ...summaryRows(result)]),
    '',
    'Latency at fixed arrival rates (open model: trades arrive on schedule whether or not earlier ones were answered):',
    '',
    markdownTable([RATE_HEADER, ...rateRows(result)]),
    '',
    ...(result.cpu === undefined
      ? []
      : [
          'CPU time per trade at the maximum (user + system, all threads, less what each process burns when idle; ' +
            'another busy process on the machine slows a trade down but hardly changes what it costs):',
          '',
          markdownTable(cpuRows(result)),
          '',
        ]),
    markdownTable([
      ['process', 'peak RSS (VmHWM)'],
      ...result.rss.map((p) => [p.name, p.peakMiB === undefined ? 'n/a' : `${dec(p.peakMiB, 0)} MiB`]),
    ]),
    '',
    'History (newest first; BENCH_LABEL names a run):',
    '',
    HISTORY_MARK,
    ...history(result, previousBlock, note),
  ].join('\n');
}

/** Marks where the history table starts inside the block; rows below it are kept from run to run. */
export const HISTORY_MARK = '<!-- history -->';
const HISTORY_KEPT = 20;
const HISTORY_HEADER = [
  'date',
  'commit',
  'raw DynamoDB items/s',
  'raw Kafka msg/s',
  'max trades/s',
  'max via batch',
  'e2e/raw DynamoDB',
  'writes/trade',
  'calls/trade',
  'p99 at 50% ms',
  'load',
  'note',
];

/** This run's history row, then the previous block's rows (newest first, at most HISTORY_KEPT). */
function history(result: BenchResult, previousBlock: string, note: string): string[] {
  const store = result.store;
  const per = (r: Record<string, number> | undefined) =>
    store === undefined || store.trades === 0 || r === undefined
      ? 'n/a'
      : dec(Object.values(r).reduce((a, b) => a + b, 0) / store.trades);
  const row = [
    result.machine.date,
    result.machine.commit,
    int(result.rawDynamo.itemsPerSecond),
    int(result.rawKafka.messagesPerSecond),
    int(result.max.tradesPerSecond),
    result.maxBatch === undefined ? 'n/a' : int(result.maxBatch.tradesPerSecond),
    dec(ratios(result).toStore),
    per(store?.writesByTable),
    per(store?.callsByOperation),
    ms(halfPhase(result)?.finalLatency.p99 ?? Number.NaN),
    `${dec(result.machine.loadAverage)}→${dec(result.loadAfter)}`,
    note.replace(/\|/g, '/'),
  ];
  const mark = previousBlock.indexOf(HISTORY_MARK);
  const previous = (mark === -1 ? '' : previousBlock.slice(mark))
    .split('\n')
    .filter((line) => /^\| \d{4}-/.test(line));
  const table = markdownTable([HISTORY_HEADER, row]).split('\n');
  return [...table, ...previous].slice(0, 2 + HISTORY_KEPT);
}
