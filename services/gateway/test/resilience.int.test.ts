/**
 * The gateway when an upstream is down or hangs: fast 503s, the breaker opening and recovering after its
 * half-open probe, 504 at the route's timeout, and gateway-made problems that reveal nothing of the upstream.
 */
import {
  eventually,
  FakeUpstream,
  startFakedGateway,
  stopFakedGateway,
  type Gateway,
} from './support/gateway-harness';

const ROUTES = `
routes:
  - name: trades
    prefix: /v1/trades
    upstream: trades
    readScope: trades:read
    writeScope: trades:write
  - name: validation
    prefix: /v1/validation
    upstream: validation
    readScope: trades:read
    writeScope: trades:write
    timeout: 400ms
`;
const KEY = 'key-ops';
const TIMEOUT_MS = 400;
const RESET_MS = 1_000;

const trades = new FakeUpstream();
const validation = new FakeUpstream();
const upstreams = { trades, validation };
let gateway: Gateway;

beforeAll(async () => {
  gateway = await startFakedGateway(upstreams, {
    routes: ROUTES,
    keys: { [KEY]: { consumerId: 'ops', scopes: ['trades:read'] } },
    env: {
      GATEWAY_BREAKER_VOLUME_THRESHOLD: '4',
      GATEWAY_BREAKER_ERROR_PERCENTAGE: '50',
      GATEWAY_BREAKER_RESET_TIMEOUT: `${RESET_MS}ms`,
    },
  });
});

afterAll(() => stopFakedGateway(gateway, upstreams));

async function timedGet(path: string): Promise<{ status: number; ms: number; text: string; res: Response }> {
  const started = Date.now();
  const res = await fetch(`${gateway.url}${path}`, { headers: { 'x-api-key': KEY } });
  const text = await res.text();
  return { status: res.status, ms: Date.now() - started, text, res };
}

/** Nothing in a gateway-made problem may name where the upstream runs or how it failed. */
function expectNoInternals(text: string, upstream: FakeUpstream): void {
  const { port } = new URL(upstream.url);
  expect(text).not.toContain('127.0.0.1');
  expect(text).not.toContain(port);
  expect(text).not.toMatch(/ECONN|UND_ERR|socket|undici|opossum|gateway-upstream/i);
}

async function breakerState(name: string): Promise<number | undefined> {
  const text = await gateway.metrics.registry.metrics();
  const match = new RegExp(`circuit_breaker_state\\{[^}]*name="${name}"[^}]*\\} (\\d)`).exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

it('when an upstream is down, then 503 at once; once the breaker opens, 503 without trying; after the reset timeout a probe closes it again', async () => {
  await trades.stop();

  const down = await timedGet('/v1/trades/T-1');
  expect(down.status).toBe(503);
  expect(down.ms).toBeLessThan(1_000);
  expect(JSON.parse(down.text)).toMatchObject({ code: 'GATEWAY.UPSTREAM_UNAVAILABLE', status: 503 });
  expect(down.res.headers.get('retry-after')).toBe('1');
  expectNoInternals(down.text, trades);

  const open = await eventually(async () => {
    const answer = await timedGet('/v1/trades/T-1');
    return (JSON.parse(answer.text) as { code?: string }).code === 'GATEWAY.CIRCUIT_OPEN'
      ? answer
      : undefined;
  }, 'the breaker to open');
  expect(open.status).toBe(503);
  expect(open.ms).toBeLessThan(500);
  expect(open.res.headers.get('retry-after')).toBe(String(RESET_MS / 1000));
  expectNoInternals(open.text, trades);
  expect(await breakerState('gateway-upstream-trades')).toBe(2);

  // The upstream is back; while the circuit is open nothing reaches it, then the half-open probe does.
  await trades.start();
  const recovered = await eventually(async () => {
    const answer = await timedGet('/v1/trades/T-1');
    if (answer.status === 503)
      expect(JSON.parse(answer.text)).toMatchObject({ code: 'GATEWAY.CIRCUIT_OPEN' });
    return answer.status === 200 ? answer : undefined;
  }, 'the breaker to let a probe through');
  expect(recovered.text).toBe('{"ok":true}');
  expect(trades.seen).toHaveLength(1);
  expect(await breakerState('gateway-upstream-trades')).toBe(0);
  expect((await timedGet('/v1/trades/T-2')).status).toBe(200);
});

it('when an upstream hangs, then 504 at the route timeout, saying nothing of the upstream', async () => {
  validation.handler = () => {
    // Never answers; the connection is cut when the fake stops.
  };
  const hung = await timedGet('/v1/validation/rules');
  expect(hung.status).toBe(504);
  expect(hung.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
  expect(hung.ms).toBeLessThan(TIMEOUT_MS + 1_500);
  expect(JSON.parse(hung.text)).toMatchObject({ code: 'GATEWAY.UPSTREAM_TIMEOUT', status: 504 });
  expectNoInternals(hung.text, validation);
  // A timed-out GET is not retried: the upstream may still be working on it.
  expect(validation.seen).toHaveLength(1);
});

it('when an upstream keeps hanging, then its route timeouts open the breaker (opossum has no timeout of its own) and it refuses at once', async () => {
  validation.handler = () => {
    // Never answers.
  };
  // Volume threshold 4 at 50 %: four timeouts in the window open it (the test above may have added one).
  let opened = false;
  for (let i = 0; i < 5 && !opened; i++) {
    const answer = await timedGet('/v1/validation/rules');
    opened = answer.status === 503;
    if (!opened) expect(answer.status).toBe(504);
  }
  expect(opened).toBe(true);
  expect(await breakerState('gateway-upstream-validation')).toBe(2); // open
  const seen = validation.seen.length;
  const refused = await timedGet('/v1/validation/rules');
  expect(refused.status).toBe(503);
  expect(refused.ms).toBeLessThan(TIMEOUT_MS);
  expect(JSON.parse(refused.text)).toMatchObject({ code: 'GATEWAY.CIRCUIT_OPEN' });
  expect(validation.seen).toHaveLength(seen);
});
