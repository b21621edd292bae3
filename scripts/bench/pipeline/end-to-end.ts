/**
 * The end-to-end pipeline measured from the client's side: trades submitted (POST /v1/trades, through the
 * gateway when it runs) until each one is final (VALIDATED or REJECTED in the trades service).
 *
 * How "final" is detected without disturbing the run: nothing polls trades while a phase runs. Completion
 * of a phase is watched on the trades service's own counter of applied outcomes
 * (`trades_status_updates_total{result="applied"}`, one cheap /metrics scrape every 100 ms); once every
 * accepted trade counted, each trade is read back once and its `updatedAt` (stamped by the trades service
 * when it applied the outcome, on this machine's clock) is the final time. Latency = updatedAt − the
 * moment the client started sending the trade.
 */
import { newTraceContext } from '../../../tests/load/lib/trace-context.ts';
import type {
  MixStream,
  MixUniverse,
  PlannedTrade,
  TradeFactory,
} from '../../../tests/load/lib/trade-mix.ts';
import { mapLimit, mapLimitUntil, type JsonClient } from './http-json';

/** Where the pipeline is driven: the trades API and the reference API (the gateway, or the services). */
export interface PipelineApi {
  /** How requests reach the services, for the report. */
  via: string;
  trades: JsonClient;
  reference: JsonClient;
  /** The trades service's /metrics URL: the applied-outcome counter. */
  tradesMetricsUrl: string;
}

interface Accepted {
  tradeId?: string;
}

interface TradeView {
  tradeId: string;
  status: string;
  updatedAt: string;
  failures: { ruleId: string }[];
}

/** One trade as sent: when, how the intake answered, and its id when accepted. */
interface Sent {
  plan: PlannedTrade;
  /** Epoch ms (fractional) when the request started. */
  sentAt: number;
  /** Submit round trip (the 202 comes once Kafka acknowledged the trade), ms. */
  submitMs: number;
  status: number;
  tradeId?: string;
}

/** Latency percentiles in ms. */
export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** The closed-loop maximum. */
export interface MaxResult {
  /** Trades submitted, accepted (202), refused as planned (400), and failed otherwise. */
  submitted: number;
  accepted: number;
  refused: number;
  errors: number;
  concurrency: number;
  /** From the first submission until the last accepted trade was final. */
  seconds: number;
  tradesPerSecond: number;
}

/** One fixed-rate phase. */
export interface RateResult {
  share: number;
  targetRate: number;
  /** Submissions per second the generator achieved. */
  offeredRate: number;
  accepted: number;
  errors: number;
  /** Trades read back final with the status the plan expects, of those read. */
  asPlanned: number;
  final: number;
  /** Up to five trades that ended otherwise than planned, for the report. */
  unplanned: string[];
  /** Submit round trip (202 after Kafka's acknowledgement). */
  submitLatency: Percentiles;
  /** Submit start until the trade was final. */
  finalLatency: Percentiles;
}

const WALL = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** p50/p95/p99/max of unsorted values. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** Sums the samples of a counter (all label sets, or those whose labels contain `labelMatch`) in a /metrics text. */
export function counterSum(metricsText: string, name: string, labelMatch = ''): number {
  let sum = 0;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (labelMatch !== '' && !rest.includes(labelMatch)) continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/**
 * A counter's samples summed per combination of `labels` (values joined by a space: `PutItem trades`) in a
 * /metrics text. A sample without one of the labels counts under an empty value.
 */
export function counterByLabels(metricsText: string, name: string, labels: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  const patterns = labels.map((label) => new RegExp(`[{,]${label}="([^"]*)"`));
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const key = patterns.map((pattern) => pattern.exec(line)?.[1] ?? '').join(' ');
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) out[key] = (out[key] ?? 0) + value;
  }
  return out;
}

/** Outcomes the trades service has applied so far. */
async function appliedOutcomes(api: PipelineApi): Promise<number> {
  const res = await fetch(api.tradesMetricsUrl, { signal: AbortSignal.timeout(2000) });
  return counterSum(await res.text(), 'trades_status_updates_total', 'result="applied"');
}

/** Resolves with the wall time at which `target` more outcomes were applied than `from`. */
async function awaitApplied(
  api: PipelineApi,
  from: number,
  target: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = WALL();
    const applied = (await appliedOutcomes(api)) - from;
    if (applied >= target) return now;
    if (Date.now() > deadline)
      throw new Error(`only ${applied} of ${target} trades became final within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

async function submit(api: PipelineApi, plan: PlannedTrade): Promise<Sent> {
  const sentAt = WALL();
  const began = performance.now();
  let status: number;
  let tradeId: string | undefined;
  try {
    const res = await api.trades.send<Accepted>('POST', '/v1/trades', plan.request, {
      traceparent: newTraceContext().traceparent,
    });
    status = res.status;
    tradeId = res.status === 202 ? res.body?.tradeId : undefined;
  } catch {
    status = 0;
  }
  return { plan, sentAt, submitMs: performance.now() - began, status, tradeId };
}

function planned(sent: Sent): boolean {
  return sent.plan.expected.status === 'REFUSED' ? sent.status === 400 : sent.status === 202;
}

async function readTrade(api: PipelineApi, tradeId: string): Promise<TradeView | undefined> {
  const res = await api.trades.send<TradeView>('GET', `/v1/trades/${encodeURIComponent(tradeId)}`);
  return res.status === 200 ? res.body : undefined;
}

/**
 * Creates the universe's accounts, instruments and prices, then submits a canary per created account until
 * every canary validates: the services' reference caches hold the run's data.
 */
export async function prepareUniverse(
  api: PipelineApi,
  universe: MixUniverse,
  factory: TradeFactory,
): Promise<void> {
  const create = async (kind: string, entity: object): Promise<void> => {
    const res = await api.reference.send('POST', `/v1/reference/${kind}`, entity);
    if (![200, 201, 409].includes(res.status))
      throw new Error(`creating ${kind} answered ${res.status}: ${JSON.stringify(res.body)}`);
  };
  await mapLimit(universe.create.accounts, 8, (a) => create('accounts', a));
  await mapLimit(universe.create.instruments, 8, (i) => create('instruments', i));
  await mapLimit(universe.create.prices, 8, (p) => create('prices', p));
  const own = universe.instruments.filter((i) =>
    universe.create.instruments.some((c) => c.symbol === i.symbol),
  );
  const accounts = universe.accounts.filter((a) =>
    universe.create.accounts.some((c) => c.accountId === a.accountId),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    // Each canary says why it is not (yet) VALIDATED, for the error when the deadline passes.
    const canaries = await mapLimit(accounts, 8, async (account, i): Promise<string | undefined> => {
      const instrument = own.filter((x) => x.lotSize === 1)[i % 2];
      const sent = await submit(
        api,
        factory.make('valid', instrument === undefined ? { account } : { account, instrument }),
      );
      if (sent.tradeId === undefined) return `${account.accountId}: submit answered ${sent.status}`;
      let last = 'never read back';
      for (const until = Date.now() + 15_000; Date.now() < until; await sleep(100)) {
        const view = await readTrade(api, sent.tradeId);
        if (view?.status === 'VALIDATED') return undefined;
        last =
          view === undefined
            ? 'unreadable'
            : `${view.status} ${view.failures.map((f) => f.ruleId).join(' ')}`;
        if (view?.status === 'REJECTED') break;
      }
      return `${account.accountId}: ${last}`;
    });
    const pending = canaries.filter((c) => c !== undefined);
    if (pending.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `the run reference data did not reach the services caches within 60 s: ${pending.slice(0, 3).join('; ')}`,
      );
    await sleep(500);
  }
}

/**
 * Closed loop: `count` trades from `stream` (fewer when `maxSeconds` passes first), `concurrency` in flight,
 * as fast as the system answers; the clock runs from the first submission until the last accepted trade is
 * final.
 */
export async function measureMax(
  api: PipelineApi,
  stream: MixStream,
  count: number,
  concurrency: number,
  maxSeconds: number,
): Promise<MaxResult> {
  const from = await appliedOutcomes(api);
  const plans = Array.from({ length: count }, () => stream.next());
  const began = WALL();
  const sent = await mapLimitUntil(plans, concurrency, Date.now() + maxSeconds * 1000, (plan) =>
    submit(api, plan),
  );
  const accepted = sent.filter((s) => s.status === 202).length;
  const ended = await awaitApplied(api, from, accepted, 180_000);
  const seconds = (ended - began) / 1000;
  return {
    submitted: sent.length,
    accepted,
    refused: sent.filter((s) => s.status === 400 && planned(s)).length,
    errors: sent.filter((s) => !planned(s)).length,
    concurrency,
    seconds,
    tradesPerSecond: accepted / seconds,
  };
}

interface BatchAnswer {
  accepted: number;
  rejected: number;
}

/**
 * Closed loop through the batch API: `count` trades in requests of `batchSize`, `concurrency` requests in
 * flight. The pipeline's capacity without a request per trade.
 */
export async function measureMaxBatch(
  api: PipelineApi,
  stream: MixStream,
  count: number,
  batchSize: number,
  concurrency: number,
  maxSeconds: number,
): Promise<MaxResult> {
  const from = await appliedOutcomes(api);
  const batches = Array.from({ length: Math.ceil(count / batchSize) }, (_, b) =>
    Array.from({ length: Math.min(batchSize, count - b * batchSize) }, () => stream.next().request),
  );
  const began = WALL();
  const answers = await mapLimitUntil(
    batches,
    concurrency,
    Date.now() + maxSeconds * 1000,
    async (trades) => {
      const res = await api.trades.send<BatchAnswer>(
        'POST',
        '/v1/trades/batch',
        { trades },
        {
          traceparent: newTraceContext().traceparent,
        },
      );
      return res.status === 200 && res.body !== undefined
        ? { ...res.body, size: trades.length, failed: 0 }
        : { accepted: 0, rejected: 0, size: trades.length, failed: trades.length };
    },
  );
  const accepted = answers.reduce((sum, a) => sum + a.accepted, 0);
  const ended = await awaitApplied(api, from, accepted, 180_000);
  const seconds = (ended - began) / 1000;
  return {
    submitted: answers.reduce((sum, a) => sum + a.size, 0),
    accepted,
    refused: answers.reduce((sum, a) => sum + a.rejected, 0),
    errors: answers.reduce((sum, a) => sum + a.failed, 0),
    concurrency,
    seconds,
    tradesPerSecond: accepted / seconds,
  };
}

/**
 * Open loop: trades arrive at `rate` per second for `seconds` whether or not earlier ones were answered (as
 * independent clients do); then each accepted trade's submit→final latency is read back.
 */
export async function measureRate(
  api: PipelineApi,
  stream: MixStream,
  share: number,
  rate: number,
  seconds: number,
): Promise<RateResult> {
  const from = await appliedOutcomes(api);
  const total = Math.max(1, Math.round(rate * seconds));
  const inFlight = new Set<Promise<Sent>>();
  const sent: Sent[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait >= 1) await sleep(wait);
    const p = submit(api, stream.next());
    inFlight.add(p);
    void p.then((s) => {
      sent.push(s);
      inFlight.delete(p);
    });
  }
  // The arrivals spanned from the first to the last send, plus one interval for the last arrival's slot.
  const offeredSeconds = (performance.now() - start) / 1000 + 1 / rate;
  await Promise.all(inFlight);
  const accepted = sent.filter((s) => s.tradeId !== undefined);
  await awaitApplied(api, from, accepted.length, 180_000);
  const views = await mapLimit(accepted, 32, async (s) => ({
    sent: s,
    view: await readTrade(api, s.tradeId ?? ''),
  }));
  const final = views.filter(
    (v) => v.view !== undefined && ['VALIDATED', 'REJECTED'].includes(v.view.status),
  );
  const outcomeOf = (status: string, rules: readonly string[]) =>
    `${status} [${[...rules].sort().join(' ')}]`;
  const unplanned = final
    .map(({ sent: s, view }) => ({
      scenario: s.plan.scenario,
      expected: outcomeOf(s.plan.expected.status, s.plan.expected.ruleIds),
      actual: outcomeOf(view?.status ?? '', view?.failures.map((f) => f.ruleId) ?? []),
    }))
    .filter((o) => o.expected !== o.actual);
  return {
    share,
    targetRate: rate,
    offeredRate: total / offeredSeconds,
    accepted: accepted.length,
    errors: sent.filter((s) => !planned(s)).length,
    asPlanned: final.length - unplanned.length,
    final: final.length,
    unplanned: unplanned.slice(0, 5).map((o) => `${o.scenario}: planned ${o.expected}, got ${o.actual}`),
    submitLatency: percentiles(accepted.map((s) => s.submitMs)),
    finalLatency: percentiles(final.map(({ sent: s, view }) => Date.parse(view?.updatedAt ?? '') - s.sentAt)),
  };
}
