// The k6 entry scripts, run in Node against stand-ins of the k6 modules and a fake gateway (k6 itself cannot
// be installed here): their options are SLO thresholds on the metrics k6 emits, setup creates the run's
// reference data, and every request carries the API key and a fresh traceparent.
import { SCENARIO_RULES, type Scenario } from '../lib/trade-mix.ts';
import { traceIdOf } from '../lib/trace-context.ts';

interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  tags: Record<string, string>;
}

interface FakeResponse {
  status: number;
  body: string;
  error: string;
  headers: Record<string, string>;
  timings: { duration: number };
  json(path?: string): unknown;
}

/** What the fake k6 runtime saw: requests, checks, and how the fake gateway answers trades. */
const k6 = {
  sent: [] as SentRequest[],
  checks: [] as { name: string; passed: boolean }[],
  /** Status the fake gateway answers trade submissions with, when not as the plan expects. */
  submitStatus: undefined as number | undefined,
  trades: new Map<string, Scenario>(),
};

function respond(status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse {
  const text = JSON.stringify(body);
  return {
    status,
    body: text,
    error: '',
    headers,
    timings: { duration: 3 },
    json: (path) => (path === undefined ? body : (body as Record<string, unknown>)[path]),
  };
}

function gateway(
  method: string,
  url: string,
  params: { headers: Record<string, string>; tags: Record<string, string> },
) {
  k6.sent.push({ method, url, headers: params.headers, tags: params.tags });
  const path = new URL(url).pathname;
  if (method === 'POST' && path.startsWith('/v1/reference/')) return respond(201, {});
  if (method === 'POST' && path === '/v1/trades') {
    const scenario = params.tags.trade_scenario as Scenario;
    if (k6.submitStatus !== undefined) return respond(k6.submitStatus, {}, { 'Retry-After': '1' });
    if (scenario === 'off-tick') return respond(400, { errors: [{ field: '/price', message: 'off tick' }] });
    const tradeId = `T${k6.trades.size + 1}`;
    k6.trades.set(tradeId, scenario);
    return respond(202, { tradeId, status: 'RECEIVED', statusUrl: `/v1/trades/${tradeId}` });
  }
  const id = path.split('/').pop() ?? '';
  const scenario = k6.trades.get(id);
  if (method === 'GET' && scenario !== undefined) {
    const rules = SCENARIO_RULES[scenario];
    return respond(200, {
      tradeId: id,
      status: rules.length === 0 ? 'VALIDATED' : 'REJECTED',
      failures: rules.map((ruleId) => ({ ruleId, reason: 'fake' })),
    });
  }
  return respond(404, {});
}

jest.mock(
  'k6',
  () => ({
    check: (value: unknown, sets: Record<string, (v: unknown) => boolean>) =>
      Object.entries(sets).every(([name, test]) => {
        const passed = test(value);
        k6.checks.push({ name, passed });
        return passed;
      }),
    fail: (message: string) => {
      throw new Error(message);
    },
    sleep: () => undefined,
  }),
  { virtual: true },
);
jest.mock(
  'k6/http',
  () => ({
    __esModule: true,
    default: {
      post: (url: string, _body: string, params: never) => gateway('POST', url, params),
      get: (url: string, params: never) => gateway('GET', url, params),
      expectedStatuses: (...statuses: number[]) => ({ statuses }),
    },
  }),
  { virtual: true },
);
jest.mock(
  'k6/execution',
  () => ({
    __esModule: true,
    default: { vu: { idInTest: 1, metrics: { tags: {} } }, scenario: { startTime: Date.now() } },
  }),
  { virtual: true },
);
jest.mock(
  'k6/metrics',
  () => {
    class Metric {
      add(): void {}
    }
    return { Counter: Metric, Trend: Metric, Rate: Metric };
  },
  { virtual: true },
);

interface Script {
  options: {
    scenarios: Record<string, { executor: string; maxVUs?: number; vus?: number }>;
    thresholds: Record<string, unknown[]>;
  };
  setup(): { runId: string; now: string; lanes: number };
  default(data: { runId: string; now: string; lanes: number }): void;
}

const ENTRIES: Record<string, string> = {
  smoke: 'shared-iterations',
  load: 'constant-arrival-rate',
  stress: 'ramping-arrival-rate',
  spike: 'ramping-arrival-rate',
  soak: 'constant-arrival-rate',
};

function loadScript(name: string): Script {
  let script: Script | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    script = require(`../${name}.ts`) as Script;
  });
  if (script === undefined) throw new Error(`cannot load ${name}`);
  return script;
}

let warnings: jest.SpyInstance;

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  warnings = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  (globalThis as { __ENV?: Record<string, string> }).__ENV = {
    API_KEY: 'test-key',
    BASE_URL: 'http://gateway.test:8080/',
    RUN_ID: 'KTEST',
    ITERATIONS: '30',
  };
  k6.sent = [];
  k6.checks = [];
  k6.submitStatus = undefined;
  k6.trades.clear();
});

afterEach(() => jest.restoreAllMocks());

describe('k6 scripts', () => {
  it.each(Object.entries(ENTRIES))(
    'when %s is loaded, then it runs a %s scenario with SLO thresholds on failures, p95/p99 and checks',
    (name, executor) => {
      const { options } = loadScript(name);
      expect(Object.values(options.scenarios).map((s) => s.executor)).toEqual([executor]);
      expect(Object.keys(options.thresholds)).toEqual(
        expect.arrayContaining(['http_req_failed', 'http_req_duration{name:POST /v1/trades}', 'checks']),
      );
      expect(options.thresholds['http_req_duration{name:POST /v1/trades}']).toEqual([
        expect.stringMatching(/^p\(95\)<\d+$/),
        expect.stringMatching(/^p\(99\)<\d+$/),
      ]);
    },
  );

  it('when the smoke test runs, then setup creates the run data and every trade ends as planned', () => {
    const smoke = loadScript('smoke');
    const data = smoke.setup();
    expect(data.runId).toBe('KTEST');
    const created = k6.sent
      .filter((r) => r.url.includes('/v1/reference/'))
      .map((r) => r.url.split('/').pop());
    expect(new Set(created)).toEqual(new Set(['accounts', 'instruments', 'prices']));
    for (let i = 0; i < 30; i++) smoke.default(data);

    expect(k6.checks.filter((c) => !c.passed)).toEqual([]);
    expect(k6.checks.filter((c) => c.name.startsWith('trade final as planned')).length).toBeGreaterThan(20);
    const scenarios = new Set(k6.sent.map((r) => r.tags.trade_scenario).filter((s) => s !== undefined));
    expect(scenarios.size).toBeGreaterThan(5);
    for (const request of k6.sent) {
      expect(request.url.startsWith('http://gateway.test:8080/v1/')).toBe(true);
      expect(request.headers['x-api-key']).toBe('test-key');
      expect(traceIdOf(request.headers.traceparent ?? '')).toBeDefined();
    }
    expect(new Set(k6.sent.map((r) => r.headers.traceparent)).size).toBe(k6.sent.length);
  });

  it('when the spike test is shed with 429 and Retry-After, then its checks pass; in the load test they fail and are logged with their trace id', () => {
    const spike = loadScript('spike');
    const data = spike.setup();
    k6.submitStatus = 429;
    k6.checks = [];
    spike.default(data);
    expect(k6.checks.map((c) => c.passed)).toEqual([true]);

    const load = loadScript('load');
    k6.submitStatus = undefined;
    const loadData = load.setup();
    k6.submitStatus = 429;
    k6.checks = [];
    load.default(loadData);
    expect(k6.checks.map((c) => c.passed)).toEqual([false]);
    const traceId = traceIdOf(k6.sent.at(-1)?.headers.traceparent ?? '');
    expect(warnings).toHaveBeenLastCalledWith(expect.stringContaining(`failed (status 429`));
    expect(warnings).toHaveBeenLastCalledWith(expect.stringContaining(`trace_id=${traceId}`));
  });

  it('when a k6 duration is read, then its parts add up, and anything else is refused', () => {
    let durationMs: ((text: string) => number) | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      ({ durationMs } = require('../k6/env.ts') as { durationMs: (text: string) => number });
    });
    expect(durationMs?.('1m30s')).toBe(90_000);
    expect(durationMs?.('2h')).toBe(7_200_000);
    expect(durationMs?.('250ms')).toBe(250);
    expect(() => durationMs?.('5 minutes')).toThrow(/not a duration/);
  });

  it('when API_KEY is missing, then setup stops the run and says how to get one', () => {
    (globalThis as { __ENV?: Record<string, string> }).__ENV = {};
    expect(() => loadScript('load').setup()).toThrow(/API_KEY is not set/);
  });
});
