/**
 * The traffic every k6 scenario sends: trades from the shared generator (tests/load/lib/trade-mix.ts), each
 * request with a fresh W3C `traceparent` and the API key, checked against the trade's planned outcome.
 * Requests slower than SLOW_MS, and failed ones, are logged with their trace id and a Jaeger link.
 *
 * `setupRun()` (from a scenario's `setup()`) creates the run's accounts, instruments and prices through the
 * gateway and waits until validation and trades have them in their caches (canary trades reach VALIDATED).
 * Each VU then makes trades from its own lane of the generator, so no two VUs send the same trade.
 */
import { check, fail, sleep } from 'k6';
import exec from 'k6/execution';
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { Counter, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { newTraceContext } from '../lib/trace-context.ts';
import {
  buildUniverse,
  MixStream,
  TradeFactory,
  type MixUniverse,
  type PlannedTrade,
} from '../lib/trade-mix.ts';
import { loadEnv, type LoadEnv } from './env.ts';
import { READ, SUBMIT } from './slo.ts';

/** What `setup()` hands every VU. */
export interface RunData {
  runId: string;
  /** ISO time the universe was built at: every VU rebuilds the same universe from it. */
  now: string;
  /** Generator lanes: lane 0 is setup's canaries, lane n is VU n. */
  lanes: number;
}

/** Submit→final time of trades a scenario follows to the end (the smoke test). */
const finalLatency = new Trend('trade_final_ms', true);
/** Trades accepted (202) and refused (400) at intake, and shed (429) when a scenario allows it. */
const submitted = new Counter('trades_submitted');

const FINAL = new Set(['VALIDATED', 'REJECTED']);

/**
 * Lanes a script needs: one per VU it may run (the largest `maxVUs`/`vus` of its scenarios, summed, since
 * scenarios may overlap) plus setup's.
 */
export function lanesFor(options: Options): number {
  let vus = 0;
  for (const scenario of Object.values(options.scenarios ?? {})) {
    const s = scenario as { vus?: number; maxVUs?: number; preAllocatedVUs?: number };
    vus += Math.max(s.maxVUs ?? 0, s.vus ?? 0, s.preAllocatedVUs ?? 0, 1);
  }
  return vus + 1;
}

type Response = RefinedResponse<ResponseType | undefined>;

/** The request headers of one call: key, JSON, and a fresh trace. */
function headersFor(env: LoadEnv, traceparent: string): Record<string, string> {
  return { 'content-type': 'application/json', 'x-api-key': env.apiKey, traceparent };
}

/** The VU's id, or 0 in setup() (where k6 may refuse to say). */
function vuId(): number {
  try {
    return exec.vu.idInTest;
  } catch {
    return 0;
  }
}

/** Logs a failed or slow request with the trace id to look it up by. */
function reportIfNotable(
  env: LoadEnv,
  name: string,
  res: Response,
  traceId: string,
  expected: boolean,
): void {
  const ms = Math.round(res.timings.duration);
  if (expected && ms <= env.slowMs) return;
  const what = expected ? `slow (${ms} ms > ${env.slowMs} ms)` : `failed (status ${res.status} ${res.error})`;
  console.warn(`${name} ${what} trace_id=${traceId} vu=${vuId()} ${env.jaegerUrl}/trace/${traceId}`);
}

/** The body as text (empty when there is none or it is binary). */
function bodyText(res: Response): string {
  return typeof res.body === 'string' ? res.body : '';
}

/** A JSON body's string member, if there is one. */
function member(res: Response, path: string): string | undefined {
  try {
    const value = res.json(path);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * POSTs a trade; returns the response and the trace id it was sent with. With `shedOk`, a 429 carrying
 * Retry-After (the gateway's rate limit shedding load) is an expected answer too.
 */
export function submitTrade(
  env: LoadEnv,
  trade: PlannedTrade,
  shedOk = false,
): { res: Response; traceId: string } {
  const trace = newTraceContext();
  const refused = trade.expected.status === 'REFUSED';
  const planned = refused ? 400 : 202;
  const res = http.post(`${env.baseUrl}/v1/trades`, JSON.stringify(trade.request), {
    headers: headersFor(env, trace.traceparent),
    tags: { name: SUBMIT, trade_scenario: trade.scenario },
    // A refusal the plan expects is a success of the system, not a failed request.
    responseCallback: shedOk ? http.expectedStatuses(planned, 429) : http.expectedStatuses(planned),
  });
  const shed = shedOk && res.status === 429;
  reportIfNotable(env, SUBMIT, res, trace.traceId, res.status === planned || shed);
  check(res, {
    'trade answered as planned (202, or 400 naming the field)': () =>
      shed
        ? res.headers['Retry-After'] !== undefined
        : refused
          ? res.status === 400 && bodyText(res).includes(trade.expected.field ?? '/')
          : res.status === 202 && member(res, 'tradeId') !== undefined,
  });
  const result = res.status === 202 ? 'accepted' : res.status === 400 ? 'refused' : shed ? 'shed' : 'failed';
  submitted.add(1, { result });
  return { res, traceId: trace.traceId };
}

/** GETs a trade's status; `undefined` when the read failed. */
export function readTrade(env: LoadEnv, tradeId: string): { status?: string; ruleIds: string[] } | undefined {
  const trace = newTraceContext();
  const res = http.get(`${env.baseUrl}/v1/trades/${encodeURIComponent(tradeId)}`, {
    headers: headersFor(env, trace.traceparent),
    tags: { name: READ },
  });
  reportIfNotable(env, READ, res, trace.traceId, res.status === 200);
  if (res.status !== 200) return undefined;
  const failures = res.json('failures');
  const ruleIds = Array.isArray(failures)
    ? failures.map((f) =>
        f !== null && typeof f === 'object' && 'ruleId' in f && typeof f.ruleId === 'string' ? f.ruleId : '?',
      )
    : [];
  return { status: member(res, 'status'), ruleIds: ruleIds.sort() };
}

/** Polls a trade until it is final or `timeoutMs` passed; the final view, or undefined. */
export function awaitFinal(
  env: LoadEnv,
  tradeId: string,
  timeoutMs: number,
): { status?: string; ruleIds: string[] } | undefined {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = readTrade(env, tradeId);
    if (view?.status !== undefined && FINAL.has(view.status)) return view;
    if (Date.now() > deadline) return undefined;
    sleep(0.1);
  }
}

/** Creates one reference entity through the gateway; an existing one (409) is fine. */
function createReference(env: LoadEnv, kind: string, entity: object): void {
  const trace = newTraceContext();
  const res = http.post(`${env.baseUrl}/v1/reference/${kind}`, JSON.stringify(entity), {
    headers: headersFor(env, trace.traceparent),
    tags: { name: `POST /v1/reference/${kind}` },
    responseCallback: http.expectedStatuses(200, 201, 409),
  });
  if (res.status === 401 || res.status === 403)
    fail(`the API key cannot create reference data (${res.status}); it needs the reference:write scope`);
  if (![200, 201, 409].includes(res.status))
    fail(`creating ${kind} failed: ${res.status} ${bodyText(res).slice(0, 300)} trace_id=${trace.traceId}`);
}

/** Submits one canary per created account and waits for each to be VALIDATED; true when all are. */
function canariesValidated(env: LoadEnv, factory: TradeFactory, universe: MixUniverse): boolean {
  const own = universe.instruments.filter(
    (i) => i.symbol.startsWith(`E${universe.runId}`) && i.lotSize === 1,
  );
  const created = universe.accounts.filter((a) =>
    universe.create.accounts.some((c) => c.accountId === a.accountId),
  );
  const ids = created.map((account, i) => {
    const instrument = own[i % own.length];
    const trade = factory.make('valid', instrument === undefined ? { account } : { account, instrument });
    const { res } = submitTrade(env, trade);
    return member(res, 'tradeId');
  });
  return ids.every((id) => id !== undefined && awaitFinal(env, id, 10_000)?.status === 'VALIDATED');
}

/**
 * For `setup()`: fixes the run id, creates the run's reference data and waits (up to 60 s) until canary
 * trades on every created account validate, i.e. the services' reference caches hold the run's data.
 */
export function setupRun(lanes: number): RunData {
  const env = loadEnv();
  if (env.apiKey === '')
    fail('API_KEY is not set: create a consumer through the gateway admin API (docs/load-testing.md)');
  const now = new Date().toISOString();
  const universe = buildUniverse(env.runId, new Date(now));
  for (const account of universe.create.accounts) createReference(env, 'accounts', account);
  for (const instrument of universe.create.instruments) createReference(env, 'instruments', instrument);
  for (const price of universe.create.prices) createReference(env, 'prices', price);
  const canaries = new TradeFactory(universe, env.seed, {
    stream: { index: 0, count: lanes },
    demoAccount: false,
  });
  const deadline = Date.now() + 60_000;
  while (!canariesValidated(env, canaries, universe)) {
    if (Date.now() > deadline) fail('the run reference data did not reach the services caches within 60 s');
    sleep(1);
  }
  console.log(`run ${env.runId}: reference data in place, ${lanes - 1} VU lanes, base ${env.baseUrl}`);
  return { runId: env.runId, now, lanes };
}

// Per VU (each VU has its own copy of this module): the settings and its lane of the generator.
let vuEnv: LoadEnv | undefined;
let vuStream: MixStream | undefined;

function streamOf(data: RunData): { env: LoadEnv; stream: MixStream } {
  if (vuEnv === undefined || vuStream === undefined) {
    vuEnv = loadEnv();
    const lane = exec.vu.idInTest;
    if (lane >= data.lanes)
      fail(`VU ${lane} has no generator lane (lanes: ${data.lanes}); raise maxVUs in lanesFor`);
    const universe = buildUniverse(data.runId, new Date(data.now));
    const factory = new TradeFactory(universe, vuEnv.seed + lane, {
      stream: { index: lane, count: data.lanes },
      // DEMO-1 is shared with every other client of the environment (see FactoryOptions).
      demoAccount: false,
    });
    vuStream = new MixStream(factory, { seed: vuEnv.seed + lane, invalidShare: vuEnv.invalidShare });
  }
  return { env: vuEnv, stream: vuStream };
}

/** What one iteration does besides submitting. */
export interface IterationOptions {
  /** Follow the trade to its final status and check it against the plan (smoke): default false. */
  followToFinal?: boolean;
  /** Share of iterations that also read the trade back once (a client checking its status): default 0. */
  readShare?: number;
  /** A 429 with Retry-After is an expected answer (the spike test: the gateway sheds load): default false. */
  shedOk?: boolean;
}

/** One iteration: submit the VU's next trade; optionally read it back or follow it to the end. */
export function tradeIteration(data: RunData, options: IterationOptions = {}): void {
  const { env, stream } = streamOf(data);
  const trade = stream.next();
  const began = Date.now();
  const { res } = submitTrade(env, trade, options.shedOk === true);
  const tradeId = res.status === 202 ? member(res, 'tradeId') : undefined;
  if (tradeId === undefined) return;
  if (options.followToFinal === true) {
    const view = awaitFinal(env, tradeId, 30_000);
    if (view !== undefined) finalLatency.add(Date.now() - began, { trade_scenario: trade.scenario });
    check(view, {
      'trade final as planned (status and failed rules)': (v) =>
        v?.status === trade.expected.status && v.ruleIds.join() === trade.expected.ruleIds.join(),
    });
  } else if (Math.random() < (options.readShare ?? 0)) {
    readTrade(env, tradeId);
  }
}
