import { loadConfig } from '@tradeflow/platform/config';
import { ConfigError } from '@tradeflow/platform/errors';
import { DEFAULT_SEED, generateSeed } from '@tradeflow/reference-data/seed';
import { accessConfig, DEFAULT_DEMO_ACCOUNTS } from '../../src/access/config';

const TOKEN = 'a'.repeat(24);
const SECRET = 's'.repeat(32);

function issuesOf(vars: Record<string, string>): string[] {
  try {
    loadConfig(accessConfig, vars);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.field}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('access config', () => {
  it('when only the admin token is given, then the defaults apply and JWT is off', () => {
    const config = loadConfig(accessConfig, { GATEWAY_ADMIN_TOKEN: TOKEN });
    expect(config.gatewayAdmin).toEqual({
      http: { host: '127.0.0.1', port: 8090, bodyLimit: '1mb' },
      token: TOKEN,
    });
    expect(config.gatewayAccess).toMatchObject({
      keyCache: { ttlMs: 5000, negativeTtlMs: 1000, max: 10_000 },
      jwt: undefined,
      defaultPlan: { ratePerSecond: 50, burst: 100, dailyQuota: 100_000 },
      usageFlushIntervalMs: 1000,
      demo: { enabled: false, apiKey: undefined, accounts: ['DEMO-1'] },
    });
  });

  it('when the admin token is missing or short, then the config names it', () => {
    expect(issuesOf({})).toEqual(['GATEWAY_ADMIN_TOKEN: is required']);
    expect(issuesOf({ GATEWAY_ADMIN_TOKEN: 'short' })).toEqual([
      'GATEWAY_ADMIN_TOKEN: must be at least 24 characters',
    ]);
  });

  it('when JWT is configured with a secret, then issuer, audience and secret are kept', () => {
    const config = loadConfig(accessConfig, {
      GATEWAY_ADMIN_TOKEN: TOKEN,
      GATEWAY_JWT_ISSUER: 'https://issuer',
      GATEWAY_JWT_AUDIENCE: 'gw',
      GATEWAY_JWT_SECRET: SECRET,
    });
    expect(config.gatewayAccess.jwt).toEqual({ issuer: 'https://issuer', audience: 'gw', secret: SECRET });
  });

  it('when JWT is configured halfway, then every missing piece is named', () => {
    expect(issuesOf({ GATEWAY_ADMIN_TOKEN: TOKEN, GATEWAY_JWT_ISSUER: 'https://issuer' })).toEqual([
      'GATEWAY_JWT_AUDIENCE: is required when JWT is configured',
      'GATEWAY_JWT_JWKS_URL: GATEWAY_JWT_JWKS_URL or GATEWAY_JWT_SECRET is required when JWT is configured',
    ]);
    expect(
      issuesOf({
        GATEWAY_ADMIN_TOKEN: TOKEN,
        GATEWAY_JWT_ISSUER: 'i',
        GATEWAY_JWT_AUDIENCE: 'a',
        GATEWAY_JWT_SECRET: 'short',
        GATEWAY_JWT_JWKS_URL: 'https://issuer/jwks.json',
      }).sort(),
    ).toEqual([
      'GATEWAY_JWT_SECRET: give either GATEWAY_JWT_JWKS_URL or GATEWAY_JWT_SECRET, not both',
      'GATEWAY_JWT_SECRET: must be at least 32 characters (HS256 needs a 256-bit key)',
    ]);
  });

  it('when the demo key or accounts are malformed, then the config names them', () => {
    const issues = issuesOf({
      GATEWAY_ADMIN_TOKEN: TOKEN,
      GATEWAY_DEMO_API_KEY: 'tfk_demo',
      GATEWAY_DEMO_ACCOUNTS: 'A,B C',
      GATEWAY_DEFAULT_PLAN_RATE: '0',
    });
    expect(issues.map((i) => i.split(':')[0]).sort()).toEqual([
      'GATEWAY_DEFAULT_PLAN_RATE',
      'GATEWAY_DEMO_ACCOUNTS',
      'GATEWAY_DEMO_API_KEY',
    ]);
  });

  it('when the demo accounts are "*" or a list, then they are parsed', () => {
    const all = loadConfig(accessConfig, { GATEWAY_ADMIN_TOKEN: TOKEN, GATEWAY_DEMO_ACCOUNTS: '*' });
    expect(all.gatewayAccess.demo.accounts).toBe('*');
    const some = loadConfig(accessConfig, {
      GATEWAY_ADMIN_TOKEN: TOKEN,
      GATEWAY_DEMO_ACCOUNTS: ' DEMO-1, X-2 ',
    });
    expect(some.gatewayAccess.demo.accounts).toEqual(['DEMO-1', 'X-2']);
  });

  it("when the seed is generated, then the demo consumer's default accounts are seeded accounts", () => {
    const seeded = new Set(
      generateSeed({ seed: DEFAULT_SEED, now: new Date() }).accounts.map((a) => a.accountId),
    );
    for (const account of DEFAULT_DEMO_ACCOUNTS) expect(seeded).toContain(account);
  });
});
