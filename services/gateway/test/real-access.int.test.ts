/**
 * The proxy with the gateway's real access control (API keys in DynamoDB Local): the demo consumer's key goes
 * through with the consumer's identity forwarded; a request without a key is refused with its challenge.
 */
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoClients } from '@tradeflow/platform/store';
import { CoreModule } from '@tradeflow/platform/runtime';
import { accessTables } from '../src/access';
import { FakeUpstream, Gateway } from './support/gateway-harness';

const DYNAMODB_ENDPOINT = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';
const TABLE_PREFIX = `it-gw-proxy-${randomBytes(4).toString('hex')}-`;
const DEMO_KEY = `tfk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;

const trades = new FakeUpstream();
let gateway: Gateway | undefined;

beforeAll(async () => {
  await trades.start();
  gateway = await Gateway.start({
    upstreams: { trades: trades.url },
    access: 'real',
    env: {
      DYNAMODB_ENDPOINT,
      TABLE_PREFIX,
      GATEWAY_DEMO_CONSUMER: 'true',
      GATEWAY_DEMO_API_KEY: DEMO_KEY,
      GATEWAY_DEMO_ACCOUNTS: 'ACC-9',
    },
  });
});

afterAll(async () => {
  if (gateway !== undefined) {
    const { client } = gateway.manager.get<DynamoClients>(CoreModule.store);
    for (const table of Object.values(accessTables)) {
      await client
        .send(new DeleteTableCommand({ TableName: `${TABLE_PREFIX}${table.name}` }))
        .catch(() => undefined);
    }
    await gateway.stop();
  }
  await trades.stop();
});

it('when the demo key calls a trades path, then the upstream sees the demo consumer and its accounts, not the key', async () => {
  const res = await fetch(`${gateway?.url}/v1/accounts/ACC-9/trades`, { headers: { 'x-api-key': DEMO_KEY } });
  expect(res.status).toBe(200);
  expect(res.headers.get('ratelimit')).not.toBeNull();
  expect(trades.seen).toHaveLength(1);
  expect(trades.seen[0]?.headers).toMatchObject({
    'x-tradeflow-consumer': 'demo',
    'x-tradeflow-accounts': 'ACC-9',
    'x-tradeflow-scopes': expect.stringContaining('trades:read') as unknown,
  });
  expect(trades.seen[0]?.headers).not.toHaveProperty('x-api-key');
});

it('when a request has no key or a wrong one, then 401 with the challenge, and the upstream is not asked', async () => {
  const before = trades.seen.length;
  const missing = await fetch(`${gateway?.url}/v1/trades/T-1`);
  expect(missing.status).toBe(401);
  expect(missing.headers.get('www-authenticate')).toMatch(/ApiKey realm="tradeflow"/);
  const wrong = await fetch(`${gateway?.url}/v1/trades/T-1`, {
    headers: {
      'x-api-key': `tfk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`,
    },
  });
  expect(wrong.status).toBe(401);
  expect(trades.seen).toHaveLength(before);
});
