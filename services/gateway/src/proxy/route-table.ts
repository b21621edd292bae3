/**
 * The gateway's route table: which public path prefixes go to which upstream, with the scopes they need, their
 * timeout, body limit and whether they may be retried. Read from a YAML file (`routes.yaml`) and checked as a
 * whole at start: every problem is named, and a table with any problem is refused.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, type FieldIssue } from '@tradeflow/platform/errors';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { parseByteSize, parseDurationMs } from './units';

/** One route, resolved: durations in ms, the body limit in bytes. */
export interface Route {
  /** Short stable name: the `route` label of metrics and the access log. */
  name: string;
  /** `/v1/trades` matches `/v1/trades` and everything under `/v1/trades/`; the longest matching prefix wins. */
  prefix: string;
  /** The upstream's name (`trades`, `reference-data`, `validation`). */
  upstream: string;
  /** Scope a GET, HEAD or OPTIONS needs. */
  readScope: string;
  /** Scope every other method needs. */
  writeScope: string;
  /** Longest wait for the upstream's response headers once the request is sent; then 504. */
  timeoutMs: number;
  /** Longest silence while the upstream's response body streams; then the response is cut. */
  idleTimeoutMs: number;
  /** The body limit as written (`1mb`), for the 413 problem. */
  bodyLimit: string;
  bodyLimitBytes: number;
  /** Whether idempotent requests on this route may be retried (within the upstream's retry budget). */
  retry: boolean;
}

/** A route as the file gives it: a timeout and body limit only when it sets them (`bodyLimit` may name a default). */
export type RouteSpec = Omit<Route, 'timeoutMs' | 'idleTimeoutMs' | 'bodyLimit' | 'bodyLimitBytes'> & {
  timeoutMs?: number;
  idleTimeoutMs?: number;
  /** A size (`512kb`), or `default` / `bulk` for the configured limits. */
  bodyLimit?: string;
};

/** The defaults a route without its own timeout or body limit gets. */
export interface RouteDefaults {
  /** Body limits a route may name instead of a size (`bodyLimit: bulk`); `default` also applies when it names none. */
  bodyLimits: { default: string; bulk: string };
  /** Timeout of a route that gives none. */
  timeoutMs: number;
}

/** The longest timeout a route may set: anything longer is a hung request, not a slow one. */
export const MAX_ROUTE_TIMEOUT_MS = 3_600_000;

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const SCOPE = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/;
/** Path segments of a prefix: RFC 3986 unreserved characters only (no wildcards, no encoding, no dot segments). */
const SEGMENT = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/;

function duration(field: string) {
  return z.union([z.string(), z.number()]).transform((value, ctx): number => {
    const ms =
      typeof value === 'number' ? (Number.isInteger(value) ? value : undefined) : parseDurationMs(value);
    if (ms === undefined || ms <= 0 || ms > MAX_ROUTE_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        message: `${field} ${JSON.stringify(value)} is not a duration between 1ms and 1h (like 500ms, 30s or 2m)`,
      });
      return z.NEVER;
    }
    return ms;
  });
}

const routeSchema = z.strictObject({
  name: z.string().regex(NAME, 'must be lower-case letters, digits and dashes, starting with a letter'),
  prefix: z.string().superRefine((prefix, ctx) => {
    const problem = prefixProblem(prefix);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
  upstream: z.string().min(1),
  readScope: z.string().regex(SCOPE, 'must be a scope like trades:read'),
  writeScope: z.string().regex(SCOPE, 'must be a scope like trades:write'),
  timeout: duration('timeout').optional(),
  idleTimeout: duration('idleTimeout').optional(),
  bodyLimit: z.union([z.string(), z.number().int().positive()]).optional(),
  retry: z.boolean().default(true),
});

const tableSchema = z.strictObject({
  routes: z.array(z.unknown()).min(1, 'must list at least one route'),
});

function prefixProblem(prefix: string): string | undefined {
  if (!prefix.startsWith('/')) return `${JSON.stringify(prefix)} must start with /`;
  if (prefix === '/') return 'must not be / (every path would go to one upstream)';
  if (prefix.endsWith('/')) return `${JSON.stringify(prefix)} must not end with /`;
  const bad = prefix
    .slice(1)
    .split('/')
    .find((s) => !SEGMENT.test(s));
  return bad === undefined
    ? undefined
    : `${JSON.stringify(prefix)} has a segment ${JSON.stringify(bad)}: segments are letters, digits and - . _ ~ (no wildcards, encodings or dot segments)`;
}

/** True when `path` is `prefix` or lies under it. */
function within(path: string, prefix: string): boolean {
  return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47); /* / */
}

/**
 * Checks a route table against the known upstreams; the problems when it has any (each naming the route and the
 * field).
 */
export function parseRouteTable(
  text: string,
  upstreams: readonly string[],
): { routes: RouteSpec[]; issues?: undefined } | { routes?: undefined; issues: FieldIssue[] } {
  const document = parseDocument(text, { prettyErrors: false });
  if (document.errors.length > 0) {
    return {
      issues: document.errors.map((e) => ({
        field: `line ${text.slice(0, e.pos[0]).split('\n').length}`,
        message: `is not valid YAML: ${e.message.split('\n')[0] ?? e.code}`,
      })),
    };
  }
  const table = tableSchema.safeParse(document.toJS(), { reportInput: true });
  if (!table.success) return { issues: table.error.issues.flatMap(issuesAt('')) };

  const issues: FieldIssue[] = [];
  const routes: { route: RouteSpec; at: string }[] = [];
  table.data.routes.forEach((raw, index) => {
    const label = routeLabel(raw, index);
    const parsed = routeSchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
      issues.push(...parsed.error.issues.flatMap(issuesAt(label)));
      return;
    }
    const r = parsed.data;
    if (!upstreams.includes(r.upstream)) {
      issues.push({
        field: `${label}.upstream`,
        message: `${JSON.stringify(r.upstream)} is not a configured upstream (${upstreams.join(', ')})`,
      });
    }
    const bodyLimit = r.bodyLimit === undefined ? undefined : String(r.bodyLimit);
    if (bodyLimit !== undefined && !NAMED_LIMITS.has(bodyLimit) && !((parseByteSize(bodyLimit) ?? 0) > 0)) {
      issues.push({
        field: `${label}.bodyLimit`,
        message: `${JSON.stringify(r.bodyLimit)} is not a size (like 512kb or 1mb) or one of default, bulk`,
      });
    }
    routes.push({
      at: label,
      route: {
        name: r.name,
        prefix: r.prefix,
        upstream: r.upstream,
        readScope: r.readScope,
        writeScope: r.writeScope,
        ...(r.timeout === undefined ? {} : { timeoutMs: r.timeout }),
        ...(r.idleTimeout === undefined ? {} : { idleTimeoutMs: r.idleTimeout }),
        ...(bodyLimit === undefined ? {} : { bodyLimit }),
        retry: r.retry,
      },
    });
  });

  for (const [i, { route: a, at }] of routes.entries()) {
    for (const { route: b, at: other } of routes.slice(0, i)) {
      if (a.name === b.name)
        issues.push({
          field: `${at}.name`,
          message: `${JSON.stringify(a.name)} is also the name of ${other}`,
        });
      if (a.prefix === b.prefix) {
        issues.push({
          field: `${at}.prefix`,
          message: `${JSON.stringify(a.prefix)} is also the prefix of ${other}`,
        });
      } else if ((within(a.prefix, b.prefix) || within(b.prefix, a.prefix)) && a.upstream !== b.upstream) {
        issues.push({
          field: `${at}.prefix`,
          message:
            `${JSON.stringify(a.prefix)} overlaps ${JSON.stringify(b.prefix)} of ${other}, which goes to another upstream ` +
            '(a prefix inside another may only refine a route of the same upstream)',
        });
      }
    }
  }
  return issues.length > 0 ? { issues } : { routes: routes.map((r) => r.route) };
}

/**
 * Reads and checks the routes file; a ConfigError naming every problem (each under `GATEWAY_ROUTES_FILE`,
 * with the file and the route) when it cannot be read or is wrong.
 */
export function loadRouteTable(file: string, upstreams: readonly string[]): RouteSpec[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new ConfigError([{ field: ROUTES_FILE_VARIABLE, message: `cannot read ${file} (${reason})` }]);
  }
  const result = parseRouteTable(text, upstreams);
  if (result.issues !== undefined) {
    throw new ConfigError(
      result.issues.map((i) => ({
        field: ROUTES_FILE_VARIABLE,
        message: `${file}: ${i.field}: ${i.message}`,
      })),
    );
  }
  return result.routes;
}

/** The variable that names the routes file. */
export const ROUTES_FILE_VARIABLE = 'GATEWAY_ROUTES_FILE';

/** Body limits a route may name instead of giving a size. */
const NAMED_LIMITS: ReadonlySet<string> = new Set(['default', 'bulk']);

/** The routes with the defaults filled in: every timeout and body limit resolved. */
export function resolveRoutes(specs: readonly RouteSpec[], defaults: RouteDefaults): Route[] {
  return specs.map((spec) => {
    const named = spec.bodyLimit ?? 'default';
    const bodyLimit =
      named === 'default' ? defaults.bodyLimits.default : named === 'bulk' ? defaults.bodyLimits.bulk : named;
    const timeoutMs = spec.timeoutMs ?? defaults.timeoutMs;
    return {
      ...spec,
      timeoutMs,
      idleTimeoutMs: spec.idleTimeoutMs ?? timeoutMs,
      bodyLimit,
      bodyLimitBytes: parseByteSize(bodyLimit) ?? 0,
    };
  });
}

function routeLabel(raw: unknown, index: number): string {
  const name = typeof raw === 'object' && raw !== null ? (raw as { name?: unknown }).name : undefined;
  return typeof name === 'string' && NAME.test(name) ? `routes[${index}] (${name})` : `routes[${index}]`;
}

/** One problem per field (one per unknown key), named under `base` (`routes[2] (trades).timeout`). */
function issuesAt(base: string) {
  return (issue: z.core.$ZodIssue): FieldIssue[] => {
    const at = (path: readonly PropertyKey[]): string =>
      [base, ...path.map(String)].filter((p) => p !== '').join('.') || '(file)';
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: at([...issue.path, key]), message: 'is not a known field' }));
    }
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    return [{ field: at(issue.path), message: missing ? 'is required' : issue.message }];
  };
}

/** The routes, matched by longest prefix on whole path segments. */
export class RouteTable {
  /** Longest prefix first, so the first match is the most specific. */
  private readonly ordered: readonly Route[];

  constructor(readonly routes: readonly Route[]) {
    this.ordered = [...routes].sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** The route of a request path (without its query), or undefined when none matches. */
  match(path: string): Route | undefined {
    for (const route of this.ordered) if (within(path, route.prefix)) return route;
    return undefined;
  }
}
