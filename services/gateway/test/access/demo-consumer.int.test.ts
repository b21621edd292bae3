/**
 * The demo consumer: the module (GATEWAY_DEMO_CONSUMER=true) with a stable key from GATEWAY_DEMO_API_KEY or a
 * fresh one, idempotent across restarts, and the `demo-consumer` CLI that the local shapes run.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '../../../../tests/support/eventually';
import { REGISTER_TS, REPO_ROOT } from '../../../../tests/support/paths';
import { AccessModule, type DemoConsumerStatus } from '../../src/access';
import { AccessHarness, DYNAMODB_ENDPOINT } from './support/access-harness';

const DEMO_KEY = `tfk_demolocal0001_${'D'.repeat(43)}`;
const CLI = join(REPO_ROOT, 'services/gateway/src/access/demo-consumer-cli.ts');

describe('demo consumer', () => {
  let first: AccessHarness | undefined;

  afterAll(async () => {
    await first?.stop();
  });

  it('when enabled with a stable key, then the key acts for the demo accounts with every scope, start after start', async () => {
    const env = {
      GATEWAY_DEMO_CONSUMER: 'true',
      GATEWAY_DEMO_API_KEY: DEMO_KEY,
      GATEWAY_KEY_CACHE_TTL: '300ms',
    };
    first = await AccessHarness.start({ env });
    expect(first.manager.get<DemoConsumerStatus>(AccessModule.demo).demo).toMatchObject({
      consumerId: 'demo',
      key: DEMO_KEY,
      accounts: ['DEMO-1'],
      fromConfig: true,
    });
    const res = await first.withKey(DEMO_KEY);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      consumerId: 'demo',
      accounts: ['DEMO-1'],
      scopes: ['trades:read', 'trades:write', 'reference:read', 'reference:write'],
      plan: 'demo',
      method: 'api-key',
    });
    expect(res.headers['ratelimit-policy']).toBe('"burst";q=20000;w=2, "daily";q=100000000;w=86400');

    // A second start over the same tables (a restart, another replica) updates rather than fails.
    const second = await AccessHarness.start({ env, tablePrefix: first.tablePrefix });
    try {
      expect((await second.withKey(DEMO_KEY)).status).toBe(200);
      const keys = await second.admin('get', '/consumers/demo/keys');
      expect((keys.body as { items: unknown[] }).items).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  it('when the CLI runs without a configured key, then it prints only a fresh key, which works', async () => {
    const prefix = first?.tablePrefix ?? '';
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-r', REGISTER_TS, CLI], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        DYNAMODB_ENDPOINT,
        TABLE_PREFIX: prefix,
        GATEWAY_DEMO_ACCOUNTS: 'DEMO-1,DEMO-2',
      },
      timeout: 30_000,
    });
    const key = stdout.trim();
    expect(key).toMatch(/^tfk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(stderr).toContain('demo consumer "demo" ready');
    const gateway = first as AccessHarness;
    expect((await gateway.withKey(key)).status).toBe(200);
    // The running gateway sees the new accounts once its consumer cache entry expires.
    await eventually(
      async () => {
        const res = await gateway.withKey(key);
        return (res.body as { accounts: string[] }).accounts.includes('DEMO-2') ? true : undefined;
      },
      'the updated demo accounts',
      3_000,
    );
    // The stable key of the first test keeps working too.
    expect((await gateway.withKey(DEMO_KEY)).status).toBe(200);
  });

  it('when the CLI is given a malformed key, then it exits 78 naming the variable', async () => {
    const run = promisify(execFile)(process.execPath, ['-r', REGISTER_TS, CLI], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, DYNAMODB_ENDPOINT, GATEWAY_DEMO_API_KEY: 'tfk_nope' },
      timeout: 30_000,
    });
    const failure = (await run.then(
      () => undefined,
      (err: unknown) => err,
    )) as { code?: unknown; stderr?: unknown } | undefined;
    expect(failure?.code).toBe(78);
    expect(String(failure?.stderr)).toContain('GATEWAY_DEMO_API_KEY');
  });
});
