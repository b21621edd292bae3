/**
 * The proxy against fake upstreams: what it forwards and strips, its refusals (401/403/404/413/429), bodies
 * streamed both ways, retries, and what its access log and metrics say.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import type { HttpServer } from '@tradeflow/platform/http';
import { documentedOperations } from '../../../tests/support/openapi-routes';
import { GatewayModule } from '../src/module';
import {
  digest,
  eventually,
  FakeUpstream,
  startFakedGateway,
  stopFakedGateway,
  type Gateway,
} from './support/gateway-harness';

const ROUTES = `
routes:
  - name: trades-bulk
    prefix: /v1/trades/bulk
    upstream: trades
    readScope: trades:read
    writeScope: trades:write
    bodyLimit: bulk
    idleTimeout: 30s
  - name: trades
    prefix: /v1/trades
    upstream: trades
    readScope: trades:read
    writeScope: trades:write
  - name: reference
    prefix: /v1/reference
    upstream: reference-data
    readScope: reference:read
    writeScope: reference:write
`;

const ALICE = 'key-alice';
const READER = 'key-reader';
const LIMITED = 'key-limited';
const MiB = 1024 * 1024;

const trades = new FakeUpstream();
const reference = new FakeUpstream();
const upstreams = { trades, 'reference-data': reference };
let gateway: Gateway;

beforeAll(async () => {
  gateway = await startFakedGateway(upstreams, {
    routes: ROUTES,
    keys: {
      [ALICE]: { consumerId: 'alice', scopes: ['trades:read', 'trades:write'], accounts: ['ACC-1', 'ACC-2'] },
      [READER]: { consumerId: 'reader', scopes: ['trades:read'], accounts: ['ACC-1'] },
      [LIMITED]: { consumerId: 'limited', scopes: ['trades:read'], accounts: ['ACC-1'], limit: 1 },
    },
    env: {
      GATEWAY_BODY_LIMIT: '64kb',
      GATEWAY_BULK_BODY_LIMIT: '60mb',
      GATEWAY_CORS_ORIGINS: 'https://app.example.com',
      // These tests make upstreams fail on purpose; the breaker is the resilience suite's subject.
      GATEWAY_BREAKER_VOLUME_THRESHOLD: '1000',
      GATEWAY_RETRY_BUDGET_MIN_PER_SECOND: '10',
    },
  });
});

afterAll(() => stopFakedGateway(gateway, upstreams));

beforeEach(() => {
  trades.seen.length = 0;
  reference.seen.length = 0;
  trades.handler = (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  };
});

async function problemOf(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await res.json()) as Record<string, unknown>;
}

/** Sends a raw HTTP/1.1 request (exact header lines) and returns the raw answer once the server closes. */
async function rawExchange(
  lines: string[],
): Promise<{ status: number; headers: Map<string, string>; body: string }> {
  const { port, hostname } = new URL(gateway.url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  // Written, not ended: a half-closed client would make Node drop the connection before it answers.
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = new Map(
    headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

describe('the proxy', () => {
  it('when a client sends identity headers of its own, then they are stripped and replaced by the caller the gateway authenticated', async () => {
    const res = await fetch(`${gateway.url}/v1/trades/T-1?view=full`, {
      headers: {
        'x-api-key': ALICE,
        'x-tradeflow-consumer': 'mallory',
        'x-tradeflow-accounts': '*',
        'x-tradeflow-scopes': 'trades:write reference:write',
        'x-tradeflow-anything': 'injected',
        'x-request-id': 'req-identity-1',
      },
    });
    expect(res.status).toBe(200);
    const seen = trades.seen[0];
    expect(seen).toMatchObject({ method: 'GET', url: '/v1/trades/T-1?view=full' });
    expect(seen?.headers).toMatchObject({
      'x-tradeflow-consumer': 'alice',
      'x-tradeflow-accounts': 'ACC-1,ACC-2',
      'x-tradeflow-scopes': 'trades:read trades:write',
      'x-request-id': 'req-identity-1',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': new URL(gateway.url).host,
    });
    const rawNames = (seen?.rawHeaders ?? []).filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(rawNames.filter((n) => n === 'x-tradeflow-consumer')).toHaveLength(1);
    expect(rawNames).not.toContain('x-tradeflow-anything');
    // The credential stops at the gateway.
    expect(rawNames).not.toContain('x-api-key');
    expect(res.headers.get('x-request-id')).toBe('req-identity-1');
  });

  it('when hop-by-hop headers travel either way, then they are dropped, with the names Connection lists', async () => {
    trades.handler = (_req, res) => {
      res.setHeader('Connection', 'x-up-private');
      res.setHeader('X-Up-Private', 'upstream-only');
      res.setHeader('Keep-Alive', 'timeout=1');
      res.setHeader('Proxy-Authenticate', 'Basic realm="upstream"');
      res.setHeader('X-End-To-End', 'kept');
      res.end('{}');
    };
    const answer = await rawExchange([
      'GET /v1/trades/T-2 HTTP/1.1',
      `Host: ${new URL(gateway.url).host}`,
      `x-api-key: ${ALICE}`,
      'Connection: close, X-Private',
      'X-Private: client-only',
      'Keep-Alive: timeout=5',
      'TE: trailers',
      'Upgrade: h2c',
      'Proxy-Authorization: Basic Zm9vOmJhcg==',
      'Proxy-Foo: bar',
      'X-End-To-End: kept',
    ]);
    expect(answer).toMatchObject({ status: 200 });
    const sent = trades.seen[0]?.headers ?? {};
    for (const name of ['x-private', 'keep-alive', 'te', 'upgrade', 'proxy-authorization', 'proxy-foo']) {
      expect(sent).not.toHaveProperty(name);
    }
    expect(sent['x-end-to-end']).toBe('kept');
    expect(answer.headers.get('x-end-to-end')).toBe('kept');
    for (const name of ['x-up-private', 'keep-alive', 'proxy-authenticate'])
      expect(answer.headers.has(name)).toBe(false);
    expect(answer.headers.get('connection')).toBe('close');
  });

  it('when an upstream answers with a problem, then the client gets it exactly as sent, with the security headers', async () => {
    const problem = JSON.stringify({
      type: 'tag:x',
      title: 'Not Found',
      status: 404,
      code: 'TRADE.NOT_FOUND',
    });
    trades.handler = (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/problem+json' });
      res.end(problem);
    };
    const res = await fetch(`${gateway.url}/v1/trades/T-404`, { headers: { 'x-api-key': ALICE } });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe(problem);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('ratelimit')).toMatch(/^"test";r=\d+;t=60$/);
  });

  it('when no route matches, then the answer is a 404 problem and no upstream is asked', async () => {
    const res = await fetch(`${gateway.url}/v1/tradesX/1`, { headers: { 'x-api-key': ALICE } });
    expect(res.status).toBe(404);
    expect(await problemOf(res)).toMatchObject({ code: 'ROUTE.NOT_FOUND', status: 404 });
    expect(trades.seen).toHaveLength(0);
  });

  it('when the key is missing or unknown, then 401; when the caller lacks the route scope, then 403; neither reaches the upstream', async () => {
    const missing = await fetch(`${gateway.url}/v1/trades/T-1`);
    expect(missing.status).toBe(401);
    const writeWithReader = await fetch(`${gateway.url}/v1/trades`, {
      method: 'POST',
      headers: { 'x-api-key': READER, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(writeWithReader.status).toBe(403);
    expect(await problemOf(writeWithReader)).toMatchObject({
      code: 'AUTH.SCOPE_MISSING',
      detail: expect.stringContaining('trades:write') as unknown,
    });
    const otherRoute = await fetch(`${gateway.url}/v1/reference/markets`, {
      headers: { 'x-api-key': ALICE },
    });
    expect(otherRoute.status).toBe(403);
    expect(trades.seen).toHaveLength(0);
    expect(reference.seen).toHaveLength(0);
  });

  it('when the plan refuses the request, then 429 carries Retry-After and the RateLimit headers', async () => {
    const first = await fetch(`${gateway.url}/v1/trades/T-1`, { headers: { 'x-api-key': LIMITED } });
    expect(first.status).toBe(200);
    const second = await fetch(`${gateway.url}/v1/trades/T-1`, { headers: { 'x-api-key': LIMITED } });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('2');
    expect(second.headers.get('ratelimit')).toBe('"test";r=0;t=2');
    expect(second.headers.get('ratelimit-policy')).toBe('"test";q=1;w=60');
    expect(trades.seen).toHaveLength(1);
  });

  it('when a path has dot segments, then 400 and nothing is forwarded', async () => {
    const answer = await rawExchange([
      'GET /v1/trades/%2e%2e/%2e%2e/v1/reference/markets HTTP/1.1',
      'Host: gateway',
      `x-api-key: ${ALICE}`,
      'Connection: close',
    ]);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'REQUEST.BAD_PATH' });
    expect(trades.seen).toHaveLength(0);
  });

  it('when a browser sends a preflight from an allowed origin, then CORS answers it without a key', async () => {
    const res = await fetch(`${gateway.url}/v1/trades`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-api-key,content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/X-Api-Key/i);
    expect(trades.seen).toHaveLength(0);
  });

  it('when a request is answered, then its access log line and the RED metrics name route, consumer and upstream', async () => {
    await fetch(`${gateway.url}/v1/trades/T-9`, {
      headers: { 'x-api-key': ALICE, 'x-request-id': 'req-log-1' },
    });
    const line = await gateway.accessLine('req-log-1');
    expect(line).toMatchObject({
      route: '/v1/trades/*',
      consumer: 'alice',
      upstream: 'trades',
      status: 200,
      method: 'GET',
    });
    expect(typeof line.duration_ms).toBe('number');
    const text = await gateway.metrics.registry.metrics();
    expect(text).toMatch(
      /gateway_request_duration_seconds_count\{[^}]*route="trades",consumer="alice",method="GET",status="200"[^}]*\} [1-9]/,
    );
    expect(text).toMatch(/circuit_breaker_state\{[^}]*name="gateway-upstream-trades"[^}]*\} 0/);
  });
});

describe("the gateway's own endpoints", () => {
  it('when its own routes are listed, then openapi.yaml documents exactly those', () => {
    const { app } = gateway.manager.get<HttpServer>(GatewayModule.http);
    const stack = (app.router as unknown as { stack: { route?: { path: string; methods: object } }[] }).stack;
    const mounted = new Set(
      stack.flatMap((layer) =>
        layer.route === undefined
          ? []
          : Object.keys(layer.route.methods).map((m) => {
              const path = (layer.route?.path ?? '').replace(/^\/docs\/assets\/.*$/, '/docs/assets/{file}');
              return `${m.toUpperCase()} ${path}`;
            }),
      ),
    );
    expect([...mounted].sort()).toEqual(documentedOperations(resolve(__dirname, '../openapi.yaml')));
  });
});

describe('body limits and streaming', () => {
  it('when Content-Length is over the route limit, then 413 before anything is forwarded', async () => {
    const res = await fetch(`${gateway.url}/v1/trades`, {
      method: 'POST',
      headers: { 'x-api-key': ALICE, 'content-type': 'application/json' },
      body: 'x'.repeat(64 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect(await problemOf(res)).toMatchObject({ code: 'REQUEST.TOO_LARGE', limit: '64kb' });
    expect(trades.seen).toHaveLength(0);
  });

  it('when a chunked body grows past the route limit, then 413 and the upstream got no more than the limit', async () => {
    let received = 0;
    trades.handler = async (req, res) => {
      for await (const chunk of req) received += (chunk as Buffer).length;
      res.end('{}');
    };
    const { status, body } = await post('/v1/trades', (req) => {
      for (let i = 0; i < 16; i++) req.write(Buffer.alloc(16 * 1024, 'a'));
      req.end();
    });
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ code: 'REQUEST.TOO_LARGE' });
    expect(received).toBeLessThanOrEqual(64 * 1024);
  });

  it('when 50 MB stream up through the bulk route, then the upstream receives them while they are still being sent, intact', async () => {
    let received = 0;
    trades.handler = async (req, res) => {
      // Like the trades service: the answer starts at once, the import runs while the upload arrives.
      res.writeHead(202, { 'content-type': 'application/json' });
      res.write(' ');
      const counted = (async function* () {
        for await (const chunk of req) {
          received += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
      })();
      res.end(JSON.stringify(await digest(counted)));
    };
    const chunk = randomBytes(MiB);
    const sentDigest = await digest(
      (function* () {
        for (let i = 0; i < 50; i++)
          yield Buffer.concat([Buffer.from(String(i).padStart(8, '0')), chunk.subarray(8)]);
      })() as unknown as AsyncIterable<Buffer>,
    );
    const { status, body } = await post('/v1/trades/bulk', async (req) => {
      let sent = 0;
      for (let i = 0; i < 50; i++) {
        const piece = Buffer.concat([Buffer.from(String(i).padStart(8, '0')), chunk.subarray(8)]);
        if (!req.write(piece)) await once(req, 'drain');
        sent += piece.length;
        // A gateway that buffered the body would hold it all back: the upstream must keep up within a few MiB.
        const floor = sent - 4 * MiB;
        await eventually(
          () => (received >= floor ? true : undefined),
          `the upstream to receive ${floor} bytes`,
          5_000,
        );
      }
      req.end();
    });
    expect(status).toBe(202);
    expect(JSON.parse(body)).toEqual(sentDigest);
  });

  it('when an upstream streams a large answer, then the client receives it before the upstream has finished', async () => {
    const part = Buffer.alloc(MiB, 'z');
    let clientReceived = 0;
    trades.handler = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let i = 0; i < 20; i++) {
        if (!res.write(part)) await once(res, 'drain');
        const floor = (i + 1) * MiB - 4 * MiB;
        await eventually(() => (clientReceived >= floor ? true : undefined), 'the client to keep up', 5_000);
      }
      res.end();
    };
    const res = await fetch(`${gateway.url}/v1/trades/export`, { headers: { 'x-api-key': ALICE } });
    expect(res.status).toBe(200);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
      clientReceived += chunk.length;
    expect(clientReceived).toBe(20 * MiB);
  });
});

describe('retries', () => {
  /** Fails the first attempt of each request id with `fail`, answers 200 with the body it received after. */
  function failFirstAttempt(fail: 'status-503' | 'reset'): Map<string, number> {
    const attempts = new Map<string, number>();
    trades.handler = async (req, res) => {
      const id = String(req.headers['x-request-id']);
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (n === 1 && fail === 'reset') {
        res.socket?.destroy();
        return;
      }
      if (n === 1) {
        res.writeHead(503, { 'content-type': 'application/problem+json' });
        res.end('{"status":503,"code":"SERVICE.UNAVAILABLE"}');
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ attempt: n, body: Buffer.concat(chunks).toString('utf8') }));
    };
    return attempts;
  }

  it('when a GET fails with 503 or a reset connection, then it is retried and succeeds', async () => {
    for (const fail of ['status-503', 'reset'] as const) {
      const attempts = failFirstAttempt(fail);
      const res = await fetch(`${gateway.url}/v1/trades/T-1`, {
        headers: { 'x-api-key': ALICE, 'x-request-id': `retry-get-${fail}` },
      });
      expect(res.status).toBe(200);
      expect(attempts.get(`retry-get-${fail}`)).toBe(2);
    }
    const line = await gateway.accessLine('retry-get-status-503');
    expect(line.attempts).toBe(2);
  });

  it('when a POST without Idempotency-Key fails, then it is not retried and the upstream answer is passed on', async () => {
    const attempts = failFirstAttempt('status-503');
    const res = await fetch(`${gateway.url}/v1/trades`, {
      method: 'POST',
      headers: { 'x-api-key': ALICE, 'x-request-id': 'retry-post-1', 'content-type': 'application/json' },
      body: '{"quantity":1}',
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 503, code: 'SERVICE.UNAVAILABLE' });
    expect(attempts.get('retry-post-1')).toBe(1);
  });

  it('when a POST with an Idempotency-Key fails, then it is retried with the same body', async () => {
    const attempts = failFirstAttempt('status-503');
    const res = await fetch(`${gateway.url}/v1/trades`, {
      method: 'POST',
      headers: {
        'x-api-key': ALICE,
        'x-request-id': 'retry-post-2',
        'content-type': 'application/json',
        'idempotency-key': 'k-1',
      },
      body: '{"quantity":2}',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ attempt: 2, body: '{"quantity":2}' });
    expect(attempts.get('retry-post-2')).toBe(2);
  });
});

/** POSTs through the gateway with a body `write` streams (chunked); resolves with the answer. */
async function post(
  path: string,
  write: (req: ReturnType<typeof httpRequest>) => void | Promise<void>,
): Promise<{ status: number; body: string }> {
  const req = httpRequest(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'x-api-key': ALICE, 'content-type': 'application/x-ndjson', 'transfer-encoding': 'chunked' },
  });
  // Writing after an early refusal may fail (EPIPE); the answer is what counts.
  req.on('error', () => undefined);
  const answered = once(req, 'response') as Promise<[IncomingMessage]>;
  let failure: unknown;
  // A failed expectation while writing ends the exchange at once rather than leave the answer waiting.
  const writing = Promise.resolve()
    .then(() => write(req))
    .catch((err: unknown) => {
      failure = err;
      req.destroy();
    });
  const [res] = await Promise.race([answered, writing.then(() => answered)]);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of res) chunks.push(chunk as Buffer);
  } catch (err) {
    failure ??= err;
  }
  await writing;
  if (failure !== undefined)
    throw failure instanceof Error ? failure : new Error('the exchange failed', { cause: failure });
  return { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') };
}
