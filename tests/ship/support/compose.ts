/**
 * docker-compose.yml as docker compose reads it: YAML with merge keys (`<<: *anchor`), then variables
 * interpolated (`${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR:+alternative}`, `$$`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../support/paths';

export const COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.yml');

/** The parts of a compose service the checks read. */
export interface ComposeService {
  image?: string;
  build?: string | { context?: string; target?: string; args?: Record<string, string> | string[] };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | { published?: string | number; target?: number; host_ip?: string })[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  profiles?: string[];
  restart?: string;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** The file as YAML, merge keys resolved, variables not yet interpolated. */
export function readComposeRaw(): unknown {
  return parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true, maxAliasCount: -1 });
}

/** `text` with compose's variable syntax resolved against `env`; throws on a required variable left unset. */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name?: string, op?: string, arg?: string, bare?: string) => {
      if (match === '$$') return '$';
      if (bare !== undefined) return env[bare] ?? '';
      const value = env[name ?? ''];
      const unset = op?.startsWith(':') ? value === undefined || value === '' : value === undefined;
      switch (op) {
        case undefined:
          return value ?? '';
        case ':-':
        case '-':
          return unset ? (arg ?? '') : (value ?? '');
        case ':?':
        case '?':
          if (unset) throw new Error(`required variable ${name} is not set: ${arg}`);
          return value ?? '';
        default:
          // `:+` / `+`: the alternative when set.
          return unset ? '' : (arg ?? '');
      }
    },
  );
}

/** Every string of `value` interpolated (keys too, as compose does for mappings). */
export function interpolateAll(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolateAll(v, env));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env)]));
  }
  return value;
}

/** The file as `docker compose up` sees it with nothing set in the environment. */
export function readCompose(env: Record<string, string | undefined> = {}): ComposeFile {
  return interpolateAll(readComposeRaw(), env) as ComposeFile;
}

/** A service's environment as a map (list entries `KEY=value` too). */
export function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const eq = entry.indexOf('=');
        return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** The build arguments of a service built from the Dockerfile (map or `KEY=value` list). */
export function buildArgsOf(service: ComposeService): Record<string, string> {
  if (service.build === undefined || typeof service.build === 'string') return {};
  const args = service.build.args ?? {};
  if (!Array.isArray(args)) return args;
  return Object.fromEntries(args.map((a) => [a.split('=')[0] ?? '', a.split('=').slice(1).join('=')]));
}

/** depends_on as `{ name: condition }` (the short list form has no condition). */
export function dependenciesOf(service: ComposeService): Record<string, string | undefined> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, undefined]));
  return Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.condition]));
}

/** A one-shot job: runs to completion and is never restarted. */
export function isOneShot(service: ComposeService): boolean {
  return service.restart === 'no';
}

/** Path of the Compose Specification schema (downloaded once by scripts/ship/compose-schema.sh). */
export function composeSchemaPath(timeoutMs: number): string {
  const result = spawnSync(join(REPO_ROOT, 'scripts', 'ship', 'compose-schema.sh'), [], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: timeoutMs,
  });
  if (result.status !== 0) {
    throw new Error(`scripts/ship/compose-schema.sh failed (${result.signal ?? `exit ${result.status}`})`);
  }
  return result.stdout.trim();
}

/** `host_ip:published:target` of every published port of a service (short and long syntax). */
export function publishedPorts(
  service: ComposeService,
): { hostIp: string; host: number; container: number }[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'string') {
      const parts = port.split(':');
      const [container = '', host = container, hostIp = ''] = [...parts].reverse();
      return { hostIp, host: Number(host), container: Number(container.split('/')[0]) };
    }
    return { hostIp: port.host_ip ?? '', host: Number(port.published), container: Number(port.target) };
  });
}
