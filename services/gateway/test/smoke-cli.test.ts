import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@tradeflow/platform/config';
import { describeResult, runSmoke, smokeEnv, type SmokeOptions } from '../src/smoke-cli';

/** What the fake gateway does; each test sets the parts it cares about. */
interface FakeGateway {
  ready: () => number;
  price: () => { status: number; body?: unknown };
  submit: (body: Record<string, unknown>, req: IncomingMessage) => { status: number; body: unknown };
  trade: (reads: number) => { status: number; body: unknown };
}

const VALID_KEY = 'tfk_smoketest_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ';

let server: Server;
let baseUrl: string;
let fake: FakeGateway;
let submitted: Record<string, unknown>[];
let tradeReads: number;

function send(res: ServerResponse, status: number, body?: unknown): void {
  const problem = status >= 400 ? 'application/problem+json' : 'application/json';
  res.writeHead(status, { 'content-type': problem });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return JSON.parse(text) as Record<string, unknown>;
}

function defaults(): FakeGateway {
  return {
    ready: () => 200,
    price: () => ({
      status: 200,
      body: { symbol: 'AAPL', price: 190, asOf: '2026-01-01T00:00:00Z', source: 'seed' },
    }),
    submit: () => ({
      status: 202,
      body: { tradeId: 't-1', status: 'RECEIVED', statusUrl: '/v1/trades/t-1' },
    }),
    trade: (reads) =>
      reads < 3
        ? { status: 200, body: { tradeId: 't-1', status: 'RECEIVED', failures: [] } }
        : { status: 200, body: { tradeId: 't-1', status: 'VALIDATED', failures: [] } },
  };
}

function options(overrides: Partial<SmokeOptions> = {}): SmokeOptions {
  return {
    ...loadConfig(smokeEnv, { SMOKE_GATEWAY_URL: baseUrl, SMOKE_API_KEY: VALID_KEY }),
    pollIntervalMs: 10,
    timeoutMs: 2_000,
    ...overrides,
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const url = req.url ?? '/';
      const keyed = req.headers['x-api-key'] === VALID_KEY;
      if (url === '/readyz') return send(res, fake.ready(), { status: 'ready' });
      if (!keyed) return send(res, 401, { title: 'Unauthorized', detail: 'missing or unknown API key' });
      if (url.startsWith('/v1/reference/prices/')) {
        const { status, body } = fake.price();
        return send(res, status, body);
      }
      if (url === '/v1/trades' && req.method === 'POST') {
        const body = await readJson(req);
        submitted.push(body);
        const answer = fake.submit(body, req);
        return send(res, answer.status, answer.body);
      }
      if (url.startsWith('/v1/trades/')) {
        tradeReads += 1;
        const answer = fake.trade(tradeReads);
        return send(res, answer.status, answer.body);
      }
      return send(res, 404, { title: 'Not Found' });
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  fake = defaults();
  submitted = [];
  tradeReads = 0;
});

describe('smoke-cli', () => {
  it('when the trade reaches VALIDATED, then it passes with the status and sent the trade at the reference price', async () => {
    fake.price = () => ({ status: 200, body: { price: 187.5 } });

    const result = await runSmoke(options());

    expect(result).toMatchObject({ ok: true, tradeId: 't-1', status: 'VALIDATED', failures: [] });
    expect(submitted).toHaveLength(1);
    expect(submitted[0]).toMatchObject({ accountId: 'DEMO-1', symbol: 'AAPL', side: 'BUY', price: 187.5 });
    expect(describeResult(result)).toMatch(/^smoke test passed: trade t-1 is VALIDATED after \d+ ms$/);
  });

  it('when the trade is REJECTED, then it still passes (the pipeline answered) and names the failed rules', async () => {
    fake.trade = () => ({
      status: 200,
      body: { status: 'REJECTED', failures: [{ ruleId: 'TRADING_HOURS', reason: 'market closed' }] },
    });

    const result = await runSmoke(options());

    expect(result).toMatchObject({
      ok: true,
      status: 'REJECTED',
      failures: ['TRADING_HOURS: market closed'],
    });
    expect(describeResult(result)).toContain('is REJECTED (TRADING_HOURS: market closed)');
  });

  it('when the reference price cannot be read, then the trade uses SMOKE_PRICE', async () => {
    fake.price = () => ({ status: 403, body: { title: 'Forbidden' } });

    await runSmoke(options({ fallbackPrice: 42 }));

    expect(submitted[0]).toMatchObject({ price: 42 });
  });

  it('when the gateway becomes ready only after a while, then it waits for /readyz and passes', async () => {
    let probes = 0;
    fake.ready = () => (++probes < 4 ? 503 : 200);

    const result = await runSmoke(options());

    expect(result.ok).toBe(true);
    expect(probes).toBeGreaterThanOrEqual(4);
  });

  it('when /readyz never answers 200, then it fails at readiness naming the last answer', async () => {
    fake.ready = () => 503;

    const result = await runSmoke(options({ timeoutMs: 200 }));

    expect(result).toEqual({
      ok: false,
      step: 'readiness',
      message: expect.stringContaining('HTTP 503') as string,
    });
    expect(submitted).toHaveLength(0);
  });

  it('when nothing listens at the URL, then it fails at readiness with the connection error', async () => {
    const result = await runSmoke(options({ gatewayUrl: 'http://127.0.0.1:1', timeoutMs: 100 }));

    expect(result).toMatchObject({ ok: false, step: 'readiness' });
    expect(!result.ok && result.message).toMatch(/ECONNREFUSED|fetch failed/);
  });

  it('when the key is refused, then it fails at submit with the status and the problem detail', async () => {
    const result = await runSmoke(
      options({ apiKey: 'tfk_wrongkey_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }),
    );

    expect(result).toEqual({
      ok: false,
      step: 'submit',
      message: 'POST /v1/trades answered HTTP 401 (Unauthorized: missing or unknown API key), expected 202',
    });
    expect(describeResult(result)).toMatch(/^smoke test FAILED at submit: /);
  });

  it('when the trade never leaves RECEIVED, then it fails at status with the trade id and the last status', async () => {
    fake.trade = () => ({ status: 200, body: { status: 'RECEIVED', failures: [] } });

    const result = await runSmoke(options({ timeoutMs: 300 }));

    expect(result).toEqual({
      ok: false,
      step: 'status',
      message: expect.stringMatching(
        /^trade t-1 reached no final status .* last: status RECEIVED$/,
      ) as string,
    });
  });

  it('when the API key variable is missing, then the config names it', () => {
    expect(() => loadConfig(smokeEnv, { SMOKE_GATEWAY_URL: baseUrl })).toThrow(/SMOKE_API_KEY/);
  });

  it('when SMOKE_PRICE is not a positive number, then the config names it; when it is, then it is the fallback price', () => {
    expect(() => loadConfig(smokeEnv, { SMOKE_API_KEY: VALID_KEY, SMOKE_PRICE: 'cheap' })).toThrow(
      'SMOKE_PRICE: "cheap" is not a positive price',
    );
    expect(loadConfig(smokeEnv, { SMOKE_API_KEY: VALID_KEY, SMOKE_PRICE: '12.5' }).fallbackPrice).toBe(12.5);
  });
});
