/**
 * Access control's own variables: API key caching, JWT, the default usage plan, the daily-usage flush, the
 * demo consumer, and the admin listener with its credential. The gateway's config spreads `accessConfig`.
 */
import { env, type HttpConfig } from '@tradeflow/platform/config';
import { z } from 'zod';
import { KEY_PATTERN } from './api-keys';

/** The accounts the demo consumer may act for by default: the seeded demo account (reference-data's DEMO-1). */
export const DEFAULT_DEMO_ACCOUNTS: readonly string[] = ['DEMO-1'];

/** The shortest admin token accepted: anything shorter is guessable. */
export const MIN_ADMIN_TOKEN_LENGTH = 24;

/** HS256 needs a key of at least 256 bits (RFC 7518 §3.2): 32 characters. */
const MIN_JWT_SECRET_LENGTH = 32;

/** The value in quotes, shortened, as the platform's own field messages quote it. */
function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** A rate in requests per second: a positive number (fractions allowed, `0.5` is one request every 2 s). */
function rate() {
  return env.string().transform((value, ctx) => {
    const n = value.trim() === '' ? NaN : Number(value);
    if (Number.isFinite(n) && n > 0) return n;
    ctx.addIssue({
      code: 'custom',
      message: `${quote(value)} is not a positive number of requests per second`,
    });
    return z.NEVER;
  });
}

/** A comma-separated list of account ids, or `*` for every account. */
function accountList() {
  return env.string().transform((value, ctx): '*' | string[] => {
    const trimmed = value.trim();
    if (trimmed === '*') return '*';
    const accounts = trimmed
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== '');
    if (accounts.length > 0 && accounts.every((a) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(a)))
      return accounts;
    ctx.addIssue({
      code: 'custom',
      message: `${quote(value)} is not "*" or a comma-separated list of account ids`,
    });
    return z.NEVER;
  });
}

const accessVarsShape = z.object({
  /** How long an API key or consumer lookup is cached: a revoked key stops working within this time. */
  GATEWAY_KEY_CACHE_TTL: env.durationMs().default(5_000),
  /** How long "no such key" is cached (shorter, so a key just issued on another replica works soon). */
  GATEWAY_KEY_NEGATIVE_CACHE_TTL: env.durationMs().default(1_000),
  /** Most keys and consumers each cache holds. */
  GATEWAY_KEY_CACHE_MAX: env.positiveInt().default(10_000),
  GATEWAY_JWT_ISSUER: env.string().optional(),
  GATEWAY_JWT_AUDIENCE: env.string().optional(),
  GATEWAY_JWT_JWKS_URL: env.url().optional(),
  GATEWAY_JWT_SECRET: env
    .string()
    .pipe(
      z.string().min(MIN_JWT_SECRET_LENGTH, {
        error: `must be at least ${MIN_JWT_SECRET_LENGTH} characters (HS256 needs a 256-bit key)`,
      }),
    )
    .optional(),
  /** The plan of consumers without one (plan `default`, unless an operator stored a plan of that name). */
  GATEWAY_DEFAULT_PLAN_RATE: rate().default(50),
  GATEWAY_DEFAULT_PLAN_BURST: env.positiveInt().default(100),
  GATEWAY_DEFAULT_PLAN_DAILY_QUOTA: env.positiveInt().default(100_000),
  /** How often the daily usage counted here is added to the shared count in DynamoDB. */
  GATEWAY_USAGE_FLUSH_INTERVAL: env.durationMs().default(1_000),
  /** Create or update the demo consumer at start (the local shapes turn it on). */
  GATEWAY_DEMO_CONSUMER: env.boolean().default(false),
  /** The demo consumer's API key, so docs and scripts can use a stable local key; a fresh one when unset. */
  GATEWAY_DEMO_API_KEY: env
    .string()
    .pipe(
      z.string().regex(KEY_PATTERN, {
        error:
          'is not an API key (tfk_<key id: 8-32 lower-case letters or digits>_<secret: 43+ base64url characters>)',
      }),
    )
    .optional(),
  /** The accounts the demo consumer may act for. */
  GATEWAY_DEMO_ACCOUNTS: accountList().default([...DEFAULT_DEMO_ACCOUNTS]),
});

const accessVars = accessVarsShape.check(
  requiredWithJwt(
    'GATEWAY_JWT_ISSUER',
    (v) => v.GATEWAY_JWT_ISSUER !== undefined,
    'is required when JWT is configured',
  ),
  requiredWithJwt(
    'GATEWAY_JWT_AUDIENCE',
    (v) => v.GATEWAY_JWT_AUDIENCE !== undefined,
    'is required when JWT is configured',
  ),
  requiredWithJwt(
    'GATEWAY_JWT_JWKS_URL',
    (v) => keySources(v) > 0,
    'GATEWAY_JWT_JWKS_URL or GATEWAY_JWT_SECRET is required when JWT is configured',
  ),
  requiredWithJwt(
    'GATEWAY_JWT_SECRET',
    (v) => keySources(v) < 2,
    'give either GATEWAY_JWT_JWKS_URL or GATEWAY_JWT_SECRET, not both',
  ),
);

type AccessVars = z.output<typeof accessVarsShape>;

function keySources(v: Partial<AccessVars>): number {
  return [v.GATEWAY_JWT_JWKS_URL, v.GATEWAY_JWT_SECRET].filter((s) => s !== undefined).length;
}

/**
 * A cross-field rule of the JWT variables, reported on `variable` whenever any JWT variable is set. It runs
 * even when other variables are invalid, so every problem is reported at once (only presence is checked).
 */
function requiredWithJwt(
  variable: keyof AccessVars,
  holds: (v: Partial<AccessVars>) => boolean,
  message: string,
) {
  return z.refine<Partial<AccessVars>>(
    (v) => {
      const anyJwt =
        v.GATEWAY_JWT_ISSUER !== undefined || v.GATEWAY_JWT_AUDIENCE !== undefined || keySources(v) > 0;
      return !anyJwt || holds(v);
    },
    { path: [variable], message, when: () => true },
  );
}

/** JWT verification settings; absent when JWT is not configured (bearer tokens are then refused). */
export type JwtConfig =
  | { issuer: string; audience: string; jwksUrl: string; secret?: undefined }
  | { issuer: string; audience: string; secret: string; jwksUrl?: undefined };

/** `GATEWAY_*` access variables: key cache, JWT, default plan, usage flush, demo consumer. */
export const accessEnv = accessVars.transform((v) => ({
  keyCache: {
    ttlMs: v.GATEWAY_KEY_CACHE_TTL,
    negativeTtlMs: Math.min(v.GATEWAY_KEY_NEGATIVE_CACHE_TTL, v.GATEWAY_KEY_CACHE_TTL),
    max: v.GATEWAY_KEY_CACHE_MAX,
  },
  jwt: jwtOf(v),
  defaultPlan: {
    ratePerSecond: v.GATEWAY_DEFAULT_PLAN_RATE,
    burst: v.GATEWAY_DEFAULT_PLAN_BURST,
    dailyQuota: v.GATEWAY_DEFAULT_PLAN_DAILY_QUOTA,
  },
  usageFlushIntervalMs: v.GATEWAY_USAGE_FLUSH_INTERVAL,
  demo: {
    enabled: v.GATEWAY_DEMO_CONSUMER,
    apiKey: v.GATEWAY_DEMO_API_KEY,
    accounts: v.GATEWAY_DEMO_ACCOUNTS,
  },
}));
export type AccessConfig = z.output<typeof accessEnv>;

function jwtOf(v: z.output<typeof accessVars>): JwtConfig | undefined {
  const { GATEWAY_JWT_ISSUER: issuer, GATEWAY_JWT_AUDIENCE: audience } = v;
  if (issuer === undefined || audience === undefined) return undefined;
  if (v.GATEWAY_JWT_JWKS_URL !== undefined) return { issuer, audience, jwksUrl: v.GATEWAY_JWT_JWKS_URL };
  if (v.GATEWAY_JWT_SECRET !== undefined) return { issuer, audience, secret: v.GATEWAY_JWT_SECRET };
  return undefined;
}

/**
 * The admin listener: `GATEWAY_ADMIN_HTTP_PORT` (8090) on `HTTP_HOST`, and `GATEWAY_ADMIN_TOKEN`, the bearer
 * credential every admin request carries (required, at least 24 characters).
 */
export const adminEnv = z
  .object({
    HTTP_HOST: env.string().default('127.0.0.1'),
    GATEWAY_ADMIN_HTTP_PORT: env.port().default(8090),
    HTTP_BODY_LIMIT: env.byteSize().default('1mb'),
    GATEWAY_ADMIN_TOKEN: env
      .string()
      .pipe(
        z
          .string()
          .min(MIN_ADMIN_TOKEN_LENGTH, { error: `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters` }),
      ),
  })
  .transform((v) => ({
    http: {
      host: v.HTTP_HOST,
      port: v.GATEWAY_ADMIN_HTTP_PORT,
      bodyLimit: v.HTTP_BODY_LIMIT,
    } satisfies HttpConfig,
    token: v.GATEWAY_ADMIN_TOKEN,
  }));
export type AdminConfig = z.output<typeof adminEnv>;

/** Access control's config fragments, keyed to sit beside the gateway's own in `src/config.ts`. */
export const accessConfig = { gatewayAccess: accessEnv, gatewayAdmin: adminEnv } as const;
