// End to end, through the gateway's public API, in both shapes: a known mix of more than 10,000 trades (single,
// batch, NDJSON and CSV bulk) reaches exactly the expected statuses and rule ids, none lost, none duplicated; bad
// input gets a 4xx problem, never a 5xx; a cancelled trade no longer counts towards its day limit; no key is a
// 401 and another consumer's trade a 404. Every request carries the API key of a consumer the suite creates
// through the admin API. Throughput figures are printed, not asserted.
import { randomInt } from 'node:crypto';
import { Scope } from '@tradeflow/platform/identity';
import {
  badCsvLines,
  badNdjsonLines,
  buildUniverse,
  planTradeMix,
  SCENARIOS,
  toCsv,
  toNdjson,
  TradeFactory,
  tradeKey,
  type BulkFile,
  type MixUniverse,
  type PlannedTrade,
} from './trade-mix';
import {
  call,
  expectStatus,
  GatewayAdmin,
  mapLimit,
  pollUntil,
  ReferenceApi,
  TradesApi,
  type Answer,
  type PlanLimits,
  type BatchResult,
  type BulkJob,
  type TradeView,
} from './support/api';
import { startShape, type RunningShape, type ShapeName, type ShapeUrls } from './support/shapes';

const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
const DYNAMODB_ENDPOINT = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';

/** 10,300 submitted: 620 single, 6 batches of 1,000, 1,840 per bulk format; ~2.5% are refused at intake. */
const COUNTS = { single: 620, batch: 6_000, ndjson: 1_840, csv: 1_840 };
const MIN_ACCEPTED = 10_000;
const BATCH_SIZE = 1_000;
const SINGLE_CONCURRENCY = 16;
const FINAL_TIMEOUT_MS = 150_000;
const SHAPES: ShapeName[] = ['distributed', 'all-in-one'];
/**
 * The run consumer's usage plan: far above what the mix offers (the singles' polling and 16 in flight at once
 * would empty the default plan's bucket of 100 in a blink), so no request of the run is refused with a 429.
 */
const LOAD_PLAN: PlanLimits = { ratePerSecond: 100_000, burst: 100_000, dailyQuota: 10_000_000 };

jest.setTimeout(240_000);

/** Writes a line to the terminal as the suite runs (Jest's console would add a stack trace to each). */
function report(shape: ShapeName, text: string): void {
  process.stdout.write(`[e2e ${shape}] ${text}\n`);
}

function perSecond(count: number, ms: number): string {
  return `${Math.round((count * 1000) / Math.max(ms, 1)).toLocaleString('en-US')} trades/s`;
}

function ruleIds(view: TradeView): string[] {
  return view.failures.map((f) => f.ruleId).sort();
}

function fieldsOf(errors: readonly unknown[] | undefined): string[] {
  return (errors ?? []).map((e) => (e as { field: string }).field);
}

/**
 * Creates the run's consumer through the gateway's admin API: every account (the mix uses many), every scope,
 * a plan of its own high enough for the load; returns the headers of its key.
 */
async function createConsumer(urls: ShapeUrls, runId: string): Promise<Record<string, string>> {
  const admin = new GatewayAdmin(urls.gatewayAdmin, urls.adminToken);
  const id = `e2e-${runId.toLowerCase()}`;
  await admin.createPlan(id, LOAD_PLAN);
  await admin.createConsumer({
    id,
    name: `e2e run ${runId}`,
    accounts: '*',
    scopes: Object.values(Scope),
    plan: id,
  });
  return { 'x-api-key': await admin.issueKey(id) };
}

/** Creates the run's accounts, instruments and prices through the reference API. */
async function createReferenceData(
  urls: ShapeUrls,
  auth: Record<string, string>,
  universe: MixUniverse,
): Promise<void> {
  const api = new ReferenceApi(urls.gateway, auth);
  // Instruments before their prices; accounts independently.
  await Promise.all([
    mapLimit(universe.create.accounts, 8, (a) => api.create('accounts', a)),
    (async () => {
      await mapLimit(universe.create.instruments, 8, (i) => api.create('instruments', i));
      await mapLimit(universe.create.prices, 8, (p) => api.create('prices', p));
    })(),
  ]);
}

/** A trade the pipeline accepted, with the id the API gave it when it gave one (single and batch). */
interface Submitted {
  plan: PlannedTrade;
  tradeId?: string;
}

/** Waits until a trade left RECEIVED and returns it. */
function finalView(api: TradesApi, tradeId: string, timeoutMs = 30_000): Promise<TradeView> {
  return pollUntil(
    async () => {
      const view = expectStatus(await api.trade(tradeId), 200, `trade ${tradeId}`);
      return view.status === 'RECEIVED' ? undefined : view;
    },
    { timeoutMs, describe: () => `trade ${tradeId} never left RECEIVED` },
  );
}

/**
 * Submits one trade of every kind the mix uses (every account, every instrument, every scenario) and waits
 * until each had its expected outcome, submitting a fresh one while the reference caches still catch up.
 * Canaries that ended otherwise are `unpredictable`: they must be listed, their status is not checked.
 */
async function converge(
  api: TradesApi,
  factory: TradeFactory,
): Promise<{ settled: Submitted[]; unpredictable: Submitted[] }> {
  const { universe } = factory;
  const wanted: (() => PlannedTrade)[] = [
    ...universe.accounts
      .filter((a) => a.role === 'standard' || a.role === 'demo')
      .map((account) => () => factory.make('valid', { account })),
    ...universe.instruments
      .filter((i) => i.role === 'tradable' || i.role === 'lot-100')
      .map((instrument) => () => factory.make('valid', { instrument })),
    // The intake refuses an off-tick price only for instruments its cache knows: one per cent-tick instrument.
    ...universe.instruments
      .filter((i) => i.role === 'tradable' && i.tickSize === 0.01)
      .map((instrument) => () => factory.make('off-tick', { instrument })),
    ...SCENARIOS.filter((s) => s !== 'valid' && s !== 'off-tick').map(
      (scenario) => () => factory.make(scenario),
    ),
  ];
  const settled: Submitted[] = [];
  const unpredictable: Submitted[] = [];
  let pending = wanted;
  const deadline = Date.now() + 60_000;
  while (pending.length > 0) {
    const round = await mapLimit(pending, SINGLE_CONCURRENCY, async (make) => {
      const plan = make();
      const answer = await api.submit(plan.request);
      if (plan.expected.status === 'REFUSED' && answer.status === 400) {
        const named = fieldsOf((answer.body as unknown as { errors?: unknown[] }).errors);
        return { make, plan, ok: named.includes(plan.expected.field ?? '') };
      }
      const { tradeId } = expectStatus(answer, 202, `canary ${plan.key}`);
      const view = await finalView(api, tradeId);
      const ok =
        view.status === plan.expected.status && ruleIds(view).join() === plan.expected.ruleIds.join();
      return { make, plan, tradeId, ok };
    });
    pending = [];
    for (const { make, plan, tradeId, ok } of round) {
      if (tradeId !== undefined) (ok ? settled : unpredictable).push({ plan, tradeId });
      if (!ok) pending.push(make);
    }
    if (pending.length > 0 && Date.now() > deadline)
      throw new Error(`reference data never converged: ${unpredictable.map((u) => u.plan.key).join(', ')}`);
  }
  return { settled, unpredictable };
}

describe.each(SHAPES)('the trade pipeline, %s shape', (shapeName) => {
  const runId = randomInt(36 ** 5)
    .toString(36)
    .toUpperCase()
    .padStart(5, '0');
  const universe = buildUniverse(runId, new Date());
  const factory = new TradeFactory(universe, randomInt(2 ** 31));
  let shape: RunningShape | undefined;
  /** The `x-api-key` header of the run's consumer. */
  let auth: Record<string, string> = {};
  let trades: TradesApi;
  let canaries: { settled: Submitted[]; unpredictable: Submitted[] } = { settled: [], unpredictable: [] };

  beforeAll(async () => {
    shape = await startShape(shapeName, {
      runId,
      kafkaBrokers: KAFKA_BROKERS,
      dynamodbEndpoint: DYNAMODB_ENDPOINT,
      prepare: async (urls) => {
        auth = await createConsumer(urls, runId);
        await createReferenceData(urls, auth, universe);
      },
    });
    report(
      shapeName,
      `run ${runId}: the gateway and every service ready in ${shape.startSeconds.toFixed(1)} s`,
    );
    trades = new TradesApi(shape.gateway, auth);
    const t0 = Date.now();
    canaries = await converge(trades, factory);
    report(
      shapeName,
      `${canaries.settled.length} canaries as expected in ${((Date.now() - t0) / 1000).toFixed(1)} s` +
        (canaries.unpredictable.length > 0
          ? ` (${canaries.unpredictable.length} early ones re-submitted)`
          : ''),
    );
  });

  afterAll(async () => {
    await shape?.stop();
  });

  it('when a known mix of 10,000 trades is submitted single, in batches and in bulk, then every trade reaches its expected status and rule ids, none lost and none duplicated', async () => {
    const mix = planTradeMix(factory, { seed: randomInt(2 ** 31), counts: COUNTS });
    const refused = (p: PlannedTrade): boolean => p.expected.status === 'REFUSED';
    const submittedCount = Object.values(mix).reduce((n, list) => n + list.length, 0);
    const acceptedCount = Object.values(mix).reduce(
      (n, list) => n + list.filter((p) => !refused(p)).length,
      0,
    );
    expect(acceptedCount).toBeGreaterThanOrEqual(MIN_ACCEPTED);
    const submitted: Submitted[] = [];
    const began = Date.now();

    const singles = async (): Promise<void> => {
      const answers = await mapLimit(mix.single, SINGLE_CONCURRENCY, (plan) => trades.submit(plan.request));
      mix.single.forEach((plan, i) => {
        const answer = answers[i] as Answer;
        if (refused(plan)) {
          expect({ key: plan.key, status: answer.status }).toEqual({ key: plan.key, status: 400 });
          expect(fieldsOf((answer.body as { errors?: unknown[] }).errors)).toContain(plan.expected.field);
          return;
        }
        const body = expectStatus(answer, 202, `single ${plan.key}`) as {
          tradeId: string;
          statusUrl: string;
        };
        expect(body.statusUrl).toBe(`/v1/trades/${body.tradeId}`);
        submitted.push({ plan, tradeId: body.tradeId });
      });
    };
    const batches = async (): Promise<void> => {
      const chunks: PlannedTrade[][] = [];
      for (let i = 0; i < mix.batch.length; i += BATCH_SIZE) chunks.push(mix.batch.slice(i, i + BATCH_SIZE));
      await mapLimit(chunks, 2, async (chunk) => {
        const result = expectStatus(await trades.submitBatch(chunk.map((p) => p.request)), 200, 'batch');
        const refusedHere = chunk.filter(refused).length;
        expect({ accepted: result.accepted, rejected: result.rejected }).toEqual({
          accepted: chunk.length - refusedHere,
          rejected: refusedHere,
        });
        for (const item of result.results) {
          const plan = chunk[item.index] as PlannedTrade;
          if (refused(plan)) {
            expect({ key: plan.key, status: item.status }).toEqual({ key: plan.key, status: 400 });
            expect(fieldsOf(item.errors)).toContain(plan.expected.field);
          } else {
            expect({ key: plan.key, status: item.status }).toEqual({ key: plan.key, status: 202 });
            submitted.push({ plan, tradeId: item.tradeId });
          }
        }
      });
    };
    const bulk = async (
      file: BulkFile,
      type: 'application/x-ndjson' | 'text/csv',
      plans: PlannedTrade[],
    ): Promise<void> => {
      // The answer completes once the whole upload is imported; the job is then final.
      const { jobId, statusUrl } = expectStatus(
        await trades.uploadBulk(file.body, type),
        202,
        `bulk ${type}`,
      );
      expect(statusUrl).toBe(`/v1/trades/bulk/${jobId}`);
      const job = await pollUntil<BulkJob>(
        async () => {
          const state = expectStatus(await trades.bulkJob(jobId), 200, `bulk job ${jobId}`);
          return state.state === 'RUNNING' ? undefined : state;
        },
        { timeoutMs: FINAL_TIMEOUT_MS, intervalMs: 500, describe: () => `bulk job ${jobId} still RUNNING` },
      );
      const refusedLines = plans.flatMap((p, i) => (refused(p) ? [file.tradeLines[i] as number] : []));
      expect({ state: job.state, accepted: job.accepted, rejected: job.rejected }).toEqual({
        state: 'COMPLETED',
        accepted: plans.length - refusedLines.length,
        rejected: file.badLines.length + refusedLines.length,
      });
      const errors = await trades.bulkErrors(jobId);
      const expectedLines = [...file.badLines, ...refusedLines].sort((a, b) => a - b);
      expect(errors.map((e) => e.line)).toEqual(expectedLines);
      for (const e of errors) expect(e.errors.length).toBeGreaterThan(0);
      for (const line of refusedLines)
        expect(fieldsOf(errors.find((e) => e.line === line)?.errors)).toContain('/price');
      for (const plan of plans) if (!refused(plan)) submitted.push({ plan });
    };

    await Promise.all([
      singles(),
      batches(),
      bulk(toNdjson(mix.ndjson, badNdjsonLines(universe)), 'application/x-ndjson', mix.ndjson),
      bulk(toCsv(mix.csv, badCsvLines(universe)), 'text/csv', mix.csv),
    ]);
    const acceptedMs = Date.now() - began;
    report(
      shapeName,
      `${submittedCount.toLocaleString('en-US')} trades submitted, ${acceptedCount.toLocaleString('en-US')} accepted, ` +
        `in ${(acceptedMs / 1000).toFixed(1)} s (${perSecond(submittedCount, acceptedMs)} through the intake)`,
    );

    // Final: none of the run's trades is still RECEIVED.
    const all = [...canaries.settled, ...canaries.unpredictable, ...submitted];
    const accounts = [...new Set(all.map((s) => s.plan.request.accountId))];
    await pollUntil(
      async () => {
        const open = await mapLimit(accounts, 4, (a) => trades.accountTrades(a, 'RECEIVED'));
        return open.every((list) => list.length === 0) ? true : undefined;
      },
      { timeoutMs: FINAL_TIMEOUT_MS, intervalMs: 1000, describe: () => 'trades still RECEIVED' },
    );
    const finalMs = Date.now() - began;
    report(
      shapeName,
      `all ${acceptedCount.toLocaleString('en-US')} final ${(finalMs / 1000).toFixed(1)} s after the first ` +
        `submission (${perSecond(acceptedCount, finalMs)} end to end)`,
    );

    // Every account lists exactly the trades it was sent, each once, each as expected.
    const listed = (await mapLimit(accounts, 4, (a) => trades.accountTrades(a))).flat();
    const byKey = new Map<string, TradeView[]>();
    for (const view of listed) byKey.set(tradeKey(view), [...(byKey.get(tradeKey(view)) ?? []), view]);
    const plannedKeys = new Set(all.map((s) => s.plan.key));
    expect(plannedKeys.size).toBe(all.length);
    const extra = [...byKey.keys()].filter((k) => !plannedKeys.has(k));
    const duplicated = [...byKey.entries()].filter(([, views]) => views.length > 1).map(([k]) => k);
    const lost = all.filter((s) => !byKey.has(s.plan.key)).map((s) => s.plan.key);
    expect({ lost: lost.slice(0, 20), lostCount: lost.length }).toEqual({ lost: [], lostCount: 0 });
    expect({ duplicated: duplicated.slice(0, 20), extra: extra.slice(0, 20) }).toEqual({
      duplicated: [],
      extra: [],
    });
    expect(listed).toHaveLength(all.length);

    const unpredictable = new Set(canaries.unpredictable.map((s) => s.plan.key));
    const wrong: object[] = [];
    for (const { plan, tradeId } of all) {
      const view = byKey.get(plan.key)?.[0] as TradeView;
      if (tradeId !== undefined && view.tradeId !== tradeId)
        wrong.push({ key: plan.key, tradeId, listedAs: view.tradeId });
      if (unpredictable.has(plan.key)) continue;
      const actual = { status: view.status, ruleIds: ruleIds(view) };
      if (actual.status !== plan.expected.status || actual.ruleIds.join() !== plan.expected.ruleIds.join())
        wrong.push({
          key: plan.key,
          scenario: plan.scenario,
          expected: plan.expected,
          actual,
          failures: view.failures,
        });
    }
    expect({ wrong: wrong.slice(0, 10), wrongCount: wrong.length }).toEqual({ wrong: [], wrongCount: 0 });
  });

  it('when bad input is sent, then every answer is a 4xx problem naming what is wrong, never a 5xx, and the good items of a batch still go through', async () => {
    const base = shape?.gateway ?? '';
    const good = (): Record<string, unknown> => ({ ...factory.make('valid').request });
    const json = { ...auth, 'content-type': 'application/json' };
    const someAccount = universe.accounts[0]?.accountId ?? '';
    const cases: { name: string; send: () => Promise<Answer>; status: number; fields?: string[] }[] = [
      {
        name: 'malformed JSON',
        send: () => call(base, 'POST', '/v1/trades', '{"accountId": ', json),
        status: 400,
      },
      {
        name: 'wrong types',
        send: () => trades.submit({ ...good(), quantity: 'ten', price: -1, side: 'HOLD', tradeTime: 'noon' }),
        status: 400,
        fields: ['/quantity', '/price', '/side', '/tradeTime'],
      },
      {
        name: 'unknown field',
        send: () => trades.submit({ ...good(), venue: 'XNAS' }),
        status: 400,
        fields: ['/venue'],
      },
      {
        name: 'missing fields',
        send: () => trades.submit({}),
        status: 400,
        fields: ['/accountId', '/symbol', '/side', '/quantity', '/price', '/currency', '/tradeTime'],
      },
      { name: 'a JSON array', send: () => call(base, 'POST', '/v1/trades', '[1, 2]', json), status: 400 },
      {
        name: 'oversize body',
        send: () => trades.submit({ ...good(), clientTradeId: 'x'.repeat(2 << 20) }),
        status: 413,
      },
      {
        name: 'not JSON',
        send: () =>
          call(base, 'POST', '/v1/trades', 'accountId=1', { ...auth, 'content-type': 'text/plain' }),
        status: 415,
      },
      { name: 'empty batch', send: () => trades.submitBatch([]), status: 400 },
      {
        name: 'batch over 1,000 items',
        send: () => trades.submitBatch(Array.from({ length: BATCH_SIZE + 1 }, () => good())),
        status: 400,
      },
      {
        name: 'bulk of an unsupported type',
        send: () =>
          call(base, 'POST', '/v1/trades/bulk', '<trades/>', { ...auth, 'content-type': 'application/xml' }),
        status: 415,
      },
      { name: 'empty bulk', send: () => trades.uploadBulk('', 'application/x-ndjson'), status: 400 },
      {
        name: 'CSV without its header',
        send: () => trades.uploadBulk('a,b\n1,2\n', 'text/csv'),
        status: 400,
      },
      { name: 'unknown trade', send: () => trades.trade('no-such-trade'), status: 404 },
      { name: 'unknown bulk job', send: () => trades.bulkJob('no-such-job'), status: 404 },
      {
        name: 'bad listing filter',
        send: () =>
          call(base, 'GET', `/v1/accounts/${someAccount}/trades?status=NOPE&limit=-1`, undefined, auth),
        status: 400,
      },
      {
        name: 'forged cursor',
        send: () =>
          call(base, 'GET', `/v1/accounts/${someAccount}/trades?cursor=not-a-cursor`, undefined, auth),
        status: 400,
      },
    ];
    const unexpected: object[] = [];
    for (const c of cases) {
      const answer = await c.send();
      const body = answer.body as { status?: number; errors?: unknown[] };
      const named = fieldsOf(body.errors);
      const ok =
        answer.status === c.status &&
        /application\/problem\+json/.test(answer.headers.get('content-type') ?? '') &&
        body.status === answer.status &&
        (c.fields ?? []).every((f) => named.includes(f));
      if (!ok)
        unexpected.push({ case: c.name, expected: c.status, status: answer.status, body: answer.body });
    }
    expect(unexpected).toEqual([]);

    // A batch with bad items: the good ones are accepted and validated, each bad one has its errors. An unknown
    // account is not an input error: the trade is accepted and validation rejects it.
    const unknownAccount = factory.make('unknown-account').request;
    const items = [good(), { ...good(), quantity: 0 }, good(), { side: 'SIDEWAYS' }, unknownAccount];
    const result = expectStatus<BatchResult>(await trades.submitBatch(items), 200, 'mixed batch');
    expect({ accepted: result.accepted, rejected: result.rejected }).toEqual({ accepted: 3, rejected: 2 });
    expect(result.results.map((r) => r.status)).toEqual([202, 400, 202, 400, 202]);
    expect(fieldsOf(result.results[1]?.errors)).toContain('/quantity');
    expect(fieldsOf(result.results[3]?.errors)).toEqual(expect.arrayContaining(['/side', '/accountId']));
    const ids = result.results.filter((r) => r.status === 202).map((r) => r.tradeId ?? '');
    const finals = await mapLimit(ids, 3, (id) => finalView(trades, id));
    expect(finals.map((v) => ({ status: v.status, ruleIds: ruleIds(v) }))).toEqual([
      { status: 'VALIDATED', ruleIds: [] },
      { status: 'VALIDATED', ruleIds: [] },
      { status: 'REJECTED', ruleIds: ['UNKNOWN_ACCOUNT'] },
    ]);
  });

  it("when a validated trade is cancelled, then validation releases its notional: a trade its account's day limit refused before now passes", async () => {
    const base = shape?.gateway ?? '';
    const instrument = universe.instruments.find((i) => i.symbol === `E${runId}A`);
    const template = { ...factory.make('valid', instrument === undefined ? {} : { instrument }).request };
    delete template.clientTradeId;
    const quantity = 1_000;
    const notional = quantity * Number(template.price);
    const accountId = `E2E${runId}-DAY`;
    await new ReferenceApi(base, auth).create('accounts', {
      accountId,
      name: `End-to-end day-limited account ${accountId}`,
      currency: 'USD',
      // One trade of ~1,000 fits, two do not.
      limits: {
        maxQuantity: 10_000_000,
        maxNotionalPerTrade: 1.5 * notional,
        maxNotionalPerDay: 1.5 * notional,
      },
      permittedMarkets: ['XNYS', 'XNAS'],
    });
    const submitAs = async (q: number): Promise<TradeView> => {
      const answer = await trades.submit({ ...template, accountId, quantity: q });
      return finalView(trades, expectStatus(answer, 202, `trade of ${q}`).tradeId);
    };
    // Until validation's reference cache knows the new account (UNKNOWN_ACCOUNT counts nothing); each try
    // with its own quantity, so no try is a probable duplicate of another.
    let attempt = 0;
    const first = await pollUntil(
      async () => {
        const view = await submitAs(quantity + attempt++);
        return view.status === 'VALIDATED' ? view : undefined;
      },
      { timeoutMs: 30_000, describe: () => `the account ${accountId} never reached validation` },
    );
    const refused = await submitAs(quantity + 50);
    expect({ status: refused.status, ruleIds: ruleIds(refused) }).toEqual({
      status: 'REJECTED',
      ruleIds: ['MAX_NOTIONAL_PER_DAY'],
    });

    const cancelled = await call<TradeView>(
      base,
      'POST',
      `/v1/trades/${encodeURIComponent(first.tradeId)}/cancel`,
      { reason: 'e2e' },
      auth,
    );
    expect(expectStatus(cancelled, 200, 'the cancellation').status).toBe('CANCELLED');
    // Published after the cancellation on the account's partition, so judged after it was applied.
    const passes = await submitAs(quantity + 60);
    expect({ status: passes.status, ruleIds: ruleIds(passes) }).toEqual({ status: 'VALIDATED', ruleIds: [] });
  });

  it('when a request carries no key, then it is a 401; when a consumer bound to other accounts asks for a trade of the run, then it is a 404 like a missing trade', async () => {
    const base = shape?.gateway ?? '';
    const tradeId = canaries.settled[0]?.tradeId ?? '';
    const path = `/v1/trades/${encodeURIComponent(tradeId)}`;
    expect(expectStatus(await trades.trade(tradeId), 200, 'the trade as its own consumer').tradeId).toBe(
      tradeId,
    );

    const anonymous = await call<{ status?: number }>(base, 'GET', path);
    expect({
      status: anonymous.status,
      problem: anonymous.body.status,
      challenge: anonymous.headers.get('www-authenticate'),
    }).toEqual({ status: 401, problem: 401, challenge: expect.stringContaining('ApiKey') as unknown });

    // Another consumer, bound to an account of its own: the run's trades are not its to see.
    const admin = new GatewayAdmin(shape?.gatewayAdmin ?? '', shape?.adminToken ?? '');
    const other = `e2e-${runId.toLowerCase()}-other`;
    await admin.createConsumer({
      id: other,
      name: `e2e run ${runId}, other accounts`,
      accounts: [`OTHER-${runId}`],
      scopes: Object.values(Scope),
    });
    const otherKey = { 'x-api-key': await admin.issueKey(other) };
    const foreign = await call<{ status?: number; code?: string }>(base, 'GET', path, undefined, otherKey);
    const missing = await call<{ status?: number; code?: string }>(
      base,
      'GET',
      '/v1/trades/no-such-trade',
      undefined,
      otherKey,
    );
    expect({ status: foreign.status, code: foreign.body.code }).toEqual({
      status: 404,
      code: missing.body.code,
    });
    expect(missing.status).toBe(404);
  });
});
