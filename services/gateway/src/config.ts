/**
 * The gateway's own variables: its public listener, the route table file, the upstreams' base URLs, CORS, body
 * limits, upstream pools, the retry budget and the circuit breakers. The route table is read and checked here,
 * with the variables, so a bad table stops the process with every problem named (exit 78) like a bad variable.
 */
import { resolve } from 'node:path';
import { env, serviceHttpEnv } from '@tradeflow/platform/config';
import { z } from 'zod';
import { ConfigError } from '@tradeflow/platform/errors';
import { accessConfig } from './access/config';
import { loadRouteTable, resolveRoutes, ROUTES_FILE_VARIABLE, type RouteSpec } from './proxy/route-table';
import { parseByteSize } from './proxy/units';

/** The route table shipped with the package (the compiled config sits at the same depth as the source). */
export const DEFAULT_ROUTES_FILE = resolve(__dirname, '..', 'routes.yaml');

/** The upstreams routes may name, each with its base-URL variable and default (the services' own ports). */
export const UPSTREAMS = {
  trades: { variable: 'GATEWAY_UPSTREAM_TRADES_URL', url: 'http://127.0.0.1:8081' },
  'reference-data': { variable: 'GATEWAY_UPSTREAM_REFERENCE_DATA_URL', url: 'http://127.0.0.1:8082' },
  validation: { variable: 'GATEWAY_UPSTREAM_VALIDATION_URL', url: 'http://127.0.0.1:8083' },
} as const;
export type UpstreamName = keyof typeof UPSTREAMS;

/** An upstream base URL: an http(s) origin, no path, query or credentials. */
function origin() {
  return env.url().transform((value, ctx) => {
    const url = new URL(value);
    if ((url.pathname === '/' || url.pathname === '') && url.search === '' && url.username === '')
      return url.origin;
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(value)} must be an origin (scheme, host, port) only`,
    });
    return z.NEVER;
  });
}

/** `*`, or a comma-separated list of origins allowed to call the API from a browser. */
function corsOrigins() {
  return env.string().transform((value, ctx): '*' | string[] => {
    if (value.trim() === '*') return '*';
    const origins = value
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== '');
    const bad = origins.filter((o) => {
      try {
        return new URL(o).origin !== o;
      } catch {
        return true;
      }
    });
    if (bad.length === 0) return origins;
    ctx.addIssue({
      code: 'custom',
      message: `${bad.map((b) => JSON.stringify(b)).join(', ')} ${bad.length === 1 ? 'is not an origin' : 'are not origins'} (like https://app.example.com)`,
    });
    return z.NEVER;
  });
}

/**
 * The routes file: read and checked on its own, so its problems are reported together with those of every
 * other variable. Timeouts and body limits it leaves to the defaults are filled in once all variables are valid.
 */
function routesFile() {
  return env
    .string()
    .default(DEFAULT_ROUTES_FILE)
    .transform((value, ctx): { file: string; routes: RouteSpec[] } => {
      const file = resolve(value);
      try {
        return { file, routes: loadRouteTable(file, Object.keys(UPSTREAMS)) };
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        for (const issue of err.issues) ctx.addIssue({ code: 'custom', message: issue.message });
        return z.NEVER;
      }
    });
}

/** The most worker processes `GATEWAY_WORKERS` may ask for. */
export const MAX_WORKERS = 64;

/** A whole number of at least 0. */
function count() {
  return env.string().transform((value, ctx) => {
    if (/^\s*\d+\s*$/.test(value)) return Number(value);
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a whole number` });
    return z.NEVER;
  });
}

/** A percentage, 1-100. */
function percentage() {
  return count().pipe(z.number().min(1, { error: 'must be 1-100' }).max(100, { error: 'must be 1-100' }));
}

const settingsEnv = z.object({
  /** The route table (YAML); relative paths are taken from the working directory. */
  [ROUTES_FILE_VARIABLE]: routesFile(),
  GATEWAY_UPSTREAM_TRADES_URL: origin().default(UPSTREAMS.trades.url),
  GATEWAY_UPSTREAM_REFERENCE_DATA_URL: origin().default(UPSTREAMS['reference-data'].url),
  GATEWAY_UPSTREAM_VALIDATION_URL: origin().default(UPSTREAMS.validation.url),
  /** Browser origins allowed to call the API (`*` for any); none by default. */
  GATEWAY_CORS_ORIGINS: corsOrigins().default([]),
  /** Body limit of routes without one (`bodyLimit: default`). */
  GATEWAY_BODY_LIMIT: env.byteSize().default('1mb'),
  /** Body limit of the bulk upload route (`bodyLimit: bulk`). */
  GATEWAY_BULK_BODY_LIMIT: env.byteSize().default('100mb'),
  /** Timeout of routes without one: the longest wait for an upstream's response headers. */
  GATEWAY_ROUTE_TIMEOUT: env.durationMs().default(15_000),
  /** Longest a request may take to arrive, body included (a bulk upload); Node's default is 5 min. */
  GATEWAY_REQUEST_TIMEOUT: env.durationMs().default(3_600_000),
  /** Most connections the gateway keeps to one upstream. */
  GATEWAY_UPSTREAM_CONNECTIONS: env.positiveInt().default(64),
  GATEWAY_UPSTREAM_CONNECT_TIMEOUT: env.durationMs().default(2_000),
  /** How long an idle upstream connection is kept (below the services' 5 s keep-alive, so they never close it first). */
  GATEWAY_UPSTREAM_KEEP_ALIVE: env.durationMs().default(4_000),
  /** Retries of one request at most (idempotent requests only). */
  GATEWAY_RETRY_MAX: count().default(2),
  /** Retries may add at most this share of an upstream's requests in the window... */
  GATEWAY_RETRY_BUDGET_RATIO: env.ratio().default(0.2),
  /** ...plus this many per second, so a quiet upstream can still be retried. */
  GATEWAY_RETRY_BUDGET_MIN_PER_SECOND: count().default(3),
  GATEWAY_RETRY_BUDGET_WINDOW: env.durationMs().default(10_000),
  /** Largest body kept in memory so its request can be retried; larger bodies stream and are never retried. */
  GATEWAY_RETRY_BODY_LIMIT: env.byteSize().default('64kb'),
  /** Failure percentage (connection errors, timeouts, 502/503/504) in the window at which a breaker opens. */
  GATEWAY_BREAKER_ERROR_PERCENTAGE: percentage().default(50),
  /** Requests needed in the window before the failure percentage may open a breaker. */
  GATEWAY_BREAKER_VOLUME_THRESHOLD: env.positiveInt().default(10),
  /** How long an open breaker refuses before it lets a probe through (half-open). */
  GATEWAY_BREAKER_RESET_TIMEOUT: env.durationMs().default(10_000),
  GATEWAY_BREAKER_WINDOW: env.durationMs().default(10_000),
  /**
   * Worker processes sharing the public and admin listeners (node:cluster); 1, the default, is one process
   * without a cluster primary. Rate-limit state, key caches and metrics are per worker, as per replica.
   */
  GATEWAY_WORKERS: env
    .positiveInt()
    .pipe(z.number().max(MAX_WORKERS, { error: `must be 1-${MAX_WORKERS}` }))
    .default(1),
});

/** Every `GATEWAY_*` variable of the proxy and its public listener (`GATEWAY_HTTP_PORT`, default 8080). */
export const gatewayEnv = z.intersection(settingsEnv, serviceHttpEnv('GATEWAY', 8080)).transform((v) => {
  const upstreams: Record<UpstreamName, string> = {
    trades: v.GATEWAY_UPSTREAM_TRADES_URL,
    'reference-data': v.GATEWAY_UPSTREAM_REFERENCE_DATA_URL,
    validation: v.GATEWAY_UPSTREAM_VALIDATION_URL,
  };
  const table = v[ROUTES_FILE_VARIABLE];
  const routes = resolveRoutes(table.routes, {
    bodyLimits: { default: v.GATEWAY_BODY_LIMIT, bulk: v.GATEWAY_BULK_BODY_LIMIT },
    timeoutMs: v.GATEWAY_ROUTE_TIMEOUT,
  });
  return {
    http: { host: String(v.host), port: v.port, bodyLimit: String(v.bodyLimit) },
    routesFile: table.file,
    routes,
    upstreams,
    cors: { origins: v.GATEWAY_CORS_ORIGINS },
    requestTimeoutMs: v.GATEWAY_REQUEST_TIMEOUT,
    workers: v.GATEWAY_WORKERS,
    pool: {
      connections: v.GATEWAY_UPSTREAM_CONNECTIONS,
      connectTimeoutMs: v.GATEWAY_UPSTREAM_CONNECT_TIMEOUT,
      keepAliveTimeoutMs: v.GATEWAY_UPSTREAM_KEEP_ALIVE,
    },
    retry: {
      maxRetries: v.GATEWAY_RETRY_MAX,
      replayLimitBytes: parseByteSize(v.GATEWAY_RETRY_BODY_LIMIT) ?? 0,
      budget: {
        ratio: v.GATEWAY_RETRY_BUDGET_RATIO,
        minPerSecond: v.GATEWAY_RETRY_BUDGET_MIN_PER_SECOND,
        windowMs: v.GATEWAY_RETRY_BUDGET_WINDOW,
      },
    },
    breaker: {
      errorThresholdPercentage: v.GATEWAY_BREAKER_ERROR_PERCENTAGE,
      volumeThreshold: v.GATEWAY_BREAKER_VOLUME_THRESHOLD,
      resetTimeoutMs: v.GATEWAY_BREAKER_RESET_TIMEOUT,
      windowMs: v.GATEWAY_BREAKER_WINDOW,
    },
  };
});
export type GatewayConfig = z.output<typeof gatewayEnv>;

/** The gateway's config fragments (the proxy's and access control's), for `runMain` and the all-in-one. */
export const config = { gateway: gatewayEnv, ...accessConfig } as const;
