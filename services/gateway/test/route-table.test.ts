import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tradeflow/platform/config';
import { ConfigError } from '@tradeflow/platform/errors';
import { DEFAULT_ROUTES_FILE, gatewayEnv } from '../src/config';

/** The proxy's own fragment (access control's has its own tests). */
const config = { gateway: gatewayEnv };
import { parseRouteTable, resolveRoutes, RouteTable } from '../src/proxy/route-table';

const UPSTREAMS = ['trades', 'reference-data', 'validation'];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gateway-routes-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The config's problems for a routes file with `text`, one line each. */
function problemsOf(text: string): string[] {
  const file = join(dir, `routes-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  try {
    loadConfig(config, { GATEWAY_ROUTES_FILE: file });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((i) => `${i.field}: ${i.message}`);
  }
  throw new Error('the routes file was accepted');
}

const route = (fields: Record<string, string>): string =>
  `  - ${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n    ')}\n`;

const good = { upstream: 'trades', readScope: 'trades:read', writeScope: 'trades:write' };

describe('the route table', () => {
  it('when the packaged routes.yaml is loaded, then every public prefix goes to its service with its limits', () => {
    const c = loadConfig(config, {});
    expect(c.gateway.routesFile).toBe(DEFAULT_ROUTES_FILE);
    const byName = Object.fromEntries(c.gateway.routes.map((r) => [r.name, r]));
    expect(Object.keys(byName).sort()).toEqual([
      'accounts',
      'reference',
      'trades',
      'trades-bulk',
      'validation',
    ]);
    expect(byName.trades).toMatchObject({ prefix: '/v1/trades', upstream: 'trades', timeoutMs: 30_000 });
    expect(byName['trades-bulk']).toMatchObject({ bodyLimit: '100mb', bodyLimitBytes: 100 * 1024 ** 2 });
    expect(byName.reference).toMatchObject({
      upstream: 'reference-data',
      readScope: 'reference:read',
      writeScope: 'reference:write',
      timeoutMs: 15_000,
      bodyLimitBytes: 1024 ** 2,
      retry: true,
    });
    expect(c.gateway.upstreams).toEqual({
      trades: 'http://127.0.0.1:8081',
      'reference-data': 'http://127.0.0.1:8082',
      validation: 'http://127.0.0.1:8083',
    });
  });

  it('when a table has many problems, then each one is named under GATEWAY_ROUTES_FILE with its route and field', () => {
    const problems = problemsOf(
      'routes:\n' +
        route({ name: 'trades', prefix: '/v1/trades', ...good, timeout: '0s' }) +
        route({ name: 'trades', prefix: '/v1/trades', ...good, timeout: 'soon' }) +
        route({
          name: 'bulk',
          prefix: '/v1/trades/bulk',
          ...good,
          upstream: 'reference-data',
          timeout: '2h',
        }) +
        route({ name: 'ledger', prefix: '/v1/ledger', ...good, upstream: 'ledger', bodyLimit: 'huge' }) +
        route({
          name: 'Bad Name',
          prefix: 'v1/x/',
          readScope: 'read',
          writeScope: 'trades:write',
          upstream: 'trades',
        }) +
        route({ name: 'extra', prefix: '/v1/extra/*', ...good, colour: 'blue' }) +
        route({ name: 'noscope', prefix: '/v1/noscope', upstream: 'trades', writeScope: 'trades:write' }),
    );
    const expected = [
      /routes\[0\] \(trades\)\.timeout: timeout "0s" is not a duration between 1ms and 1h/,
      /routes\[1\] \(trades\)\.timeout: timeout "soon" is not a duration/,
      /routes\[2\] \(bulk\)\.timeout: timeout "2h" is not a duration/,
      /routes\[3\] \(ledger\)\.upstream: "ledger" is not a configured upstream \(trades, reference-data, validation\)/,
      /routes\[3\] \(ledger\)\.bodyLimit: "huge" is not a size/,
      /routes\[4\]\.name: must be lower-case letters/,
      /routes\[4\]\.prefix: "v1\/x\/" must start with \//,
      /routes\[4\]\.readScope: must be a scope/,
      /routes\[5\] \(extra\)\.prefix: "\/v1\/extra\/\*" has a segment "\*"/,
      /routes\[5\] \(extra\)\.colour: is not a known field/,
      /routes\[6\] \(noscope\)\.readScope: is required/,
    ];
    for (const pattern of expected) expect(problems).toContainEqual(expect.stringMatching(pattern));
    expect(problems.every((p) => p.startsWith('GATEWAY_ROUTES_FILE: '))).toBe(true);
    expect(problems).toHaveLength(expected.length);
  });

  it('when two routes share a name or a prefix, or a nested prefix goes to another upstream, then the overlap is refused', () => {
    const result = parseRouteTable(
      'routes:\n' +
        route({ name: 'trades', prefix: '/v1/trades', ...good }) +
        route({ name: 'trades', prefix: '/v1/trades', ...good }) +
        route({ name: 'bulk', prefix: '/v1/trades/bulk', ...good, upstream: 'validation' }) +
        route({ name: 'batch', prefix: '/v1/trades/batch', ...good, timeout: '60s' }),
      UPSTREAMS,
    );
    expect(result.issues).toEqual([
      { field: 'routes[1] (trades).name', message: '"trades" is also the name of routes[0] (trades)' },
      {
        field: 'routes[1] (trades).prefix',
        message: '"/v1/trades" is also the prefix of routes[0] (trades)',
      },
      {
        field: 'routes[2] (bulk).prefix',
        message: expect.stringContaining(
          '"/v1/trades/bulk" overlaps "/v1/trades" of routes[0] (trades)',
        ) as unknown,
      },
      {
        field: 'routes[2] (bulk).prefix',
        message: expect.stringContaining(
          '"/v1/trades/bulk" overlaps "/v1/trades" of routes[1] (trades)',
        ) as unknown,
      },
    ]);
  });

  it('when the file is not YAML, empty or missing, then that is the problem named', () => {
    expect(problemsOf('routes:\n  - name: a\n   prefix: /x\n')).toEqual([
      expect.stringMatching(/^GATEWAY_ROUTES_FILE: .*: line \d+: is not valid YAML/),
    ]);
    expect(problemsOf('routes: []\n')).toEqual([
      expect.stringMatching(/routes: must list at least one route$/),
    ]);
    expect(() => loadConfig(config, { GATEWAY_ROUTES_FILE: join(dir, 'absent.yaml') })).toThrow(
      /GATEWAY_ROUTES_FILE: cannot read .*absent\.yaml \(ENOENT\)/,
    );
  });

  it('when a path is matched, then the longest prefix wins on whole segments only', () => {
    const result = parseRouteTable(
      'routes:\n' +
        route({ name: 'trades', prefix: '/v1/trades', ...good }) +
        route({ name: 'bulk', prefix: '/v1/trades/bulk', ...good, bodyLimit: 'bulk' }),
      UPSTREAMS,
    );
    const table = new RouteTable(
      resolveRoutes(result.routes ?? [], { bodyLimits: { default: '1mb', bulk: '100mb' }, timeoutMs: 1000 }),
    );
    expect(table.match('/v1/trades')?.name).toBe('trades');
    expect(table.match('/v1/trades/T-1')?.name).toBe('trades');
    expect(table.match('/v1/trades/bulk')?.name).toBe('bulk');
    expect(table.match('/v1/trades/bulk/J-1/errors')?.name).toBe('bulk');
    expect(table.match('/v1/trades/bulky')?.name).toBe('trades');
    expect(table.match('/v1/tradesX')).toBeUndefined();
    expect(table.match('/v1')).toBeUndefined();
  });
});

describe('the gateway variables', () => {
  it('when upstream URLs, CORS origins, numbers and the routes file are wrong, then each is named at once', () => {
    let issues: string[] = [];
    const file = join(dir, 'one-problem.yaml');
    writeFileSync(file, 'routes:\n' + route({ name: 'x', prefix: '/v1/x', ...good, upstream: 'ledger' }));
    try {
      loadConfig(config, {
        GATEWAY_ROUTES_FILE: file,
        GATEWAY_UPSTREAM_TRADES_URL: 'http://127.0.0.1:8081/api',
        GATEWAY_UPSTREAM_VALIDATION_URL: 'not a url',
        GATEWAY_CORS_ORIGINS: 'https://app.example.com, app.example.com',
        GATEWAY_RETRY_MAX: '-1',
        GATEWAY_BREAKER_ERROR_PERCENTAGE: '150',
      });
    } catch (err) {
      issues = (err as ConfigError).issues.map((i) => i.field);
    }
    expect(issues.sort()).toEqual([
      'GATEWAY_BREAKER_ERROR_PERCENTAGE',
      'GATEWAY_CORS_ORIGINS',
      'GATEWAY_RETRY_MAX',
      'GATEWAY_ROUTES_FILE',
      'GATEWAY_UPSTREAM_TRADES_URL',
      'GATEWAY_UPSTREAM_VALIDATION_URL',
    ]);
  });
});
