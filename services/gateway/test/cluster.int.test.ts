/**
 * GATEWAY_WORKERS=2: the compiled gateway as a cluster (its own process, DynamoDB Local for its keys). Both
 * workers take client connections and forward them, each over its own upstream pool; SIGTERM to the primary
 * stops the workers and the primary exits 0.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { eventually } from '../../../tests/support/eventually';
import { freePort, mainOf, ServiceProcess } from '../../../tests/support/service-process';
import { accessTables } from '../src/access';
import { WORKERS_LISTENING } from '../src/cluster';
import { FakeUpstream } from './support/gateway-harness';

const DYNAMODB_ENDPOINT = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';
const TABLE_PREFIX = `it-gw-cluster-${randomBytes(4).toString('hex')}-`;
const DEMO_KEY = `tfk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
const WORKERS = 2;

const upstream = new FakeUpstream();
/** The source port of each upstream connection a request came over: one keep-alive pool per worker. */
const upstreamConnections = new Set<number>();
let gateway: ServiceProcess | undefined;
let url = '';

beforeAll(async () => {
  upstream.handler = (req, res) => {
    upstreamConnections.add(req.socket.remotePort ?? 0);
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  };
  await upstream.start();
  const [port, adminPort] = await Promise.all([freePort(), freePort()]);
  url = `http://127.0.0.1:${port}`;
  gateway = new ServiceProcess(
    'gateway-cluster',
    mainOf('gateway'),
    {
      ...process.env,
      GATEWAY_WORKERS: `${WORKERS}`,
      HTTP_HOST: '127.0.0.1',
      GATEWAY_HTTP_PORT: `${port}`,
      GATEWAY_ADMIN_HTTP_PORT: `${adminPort}`,
      GATEWAY_ADMIN_TOKEN: randomBytes(24).toString('base64url'),
      GATEWAY_UPSTREAM_TRADES_URL: upstream.url,
      GATEWAY_UPSTREAM_REFERENCE_DATA_URL: upstream.url,
      GATEWAY_UPSTREAM_VALIDATION_URL: upstream.url,
      GATEWAY_DEMO_CONSUMER: 'true',
      GATEWAY_DEMO_API_KEY: DEMO_KEY,
      DYNAMODB_ENDPOINT,
      TABLE_PREFIX,
      OTEL_SDK_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    join(tmpdir(), `gateway-cluster-${process.pid}.log`),
  );
  await gateway.waitReady(url);
  await eventually(
    () => (gateway?.logLines().some((l) => l.msg === WORKERS_LISTENING) === true ? true : undefined),
    'every worker listening',
    60_000,
  );
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await upstream.stop();
  const client = new DynamoDBClient({
    endpoint: DYNAMODB_ENDPOINT,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  for (const table of Object.values(accessTables))
    await client
      .send(new DeleteTableCommand({ TableName: `${TABLE_PREFIX}${table.name}` }))
      .catch(() => undefined);
  client.destroy();
});

/** One GET on a connection of its own (no agent), so the cluster hands each to the next worker. */
function getOnNewConnection(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { agent: false, headers: { 'x-api-key': DEMO_KEY } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}

/** The pids the primary started, from /proc. */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
}

it(`when GATEWAY_WORKERS=${WORKERS}, then ${WORKERS} worker processes each forward requests over their own upstream pool`, async () => {
  const primary = gateway?.pid ?? 0;
  expect(childrenOf(primary)).toHaveLength(WORKERS);
  const statuses: number[] = [];
  // One request at a time: each worker reuses its one keep-alive connection to the upstream.
  for (let i = 0; i < 8; i++) statuses.push(await getOnNewConnection('/v1/trades/T-1'));
  expect(statuses).toEqual(Array.from({ length: 8 }, () => 200));
  expect(upstreamConnections.size).toBe(WORKERS);
});

it('when the primary gets SIGTERM, then the workers stop and it exits 0', async () => {
  const workers = childrenOf(gateway?.pid ?? 0);
  await gateway?.stop();
  await expect(gateway?.exited).resolves.toBe(0);
  for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
});
