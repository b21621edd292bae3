/**
 * What a k6 run is pointed at and how hard it pushes, from k6's `__ENV` (`k6 run -e NAME=value`, or the
 * process environment). Every knob has a default that suits a laptop running `make up`.
 */

/** The settings every scenario shares. */
export interface LoadEnv {
  /** The gateway: `BASE_URL`, default http://127.0.0.1:8080. */
  baseUrl: string;
  /** `API_KEY`: a key whose consumer may trade on every account (`*`) with scopes trades:* and reference:write. */
  apiKey: string;
  /** `RUN_ID`: 1-6 of A-Z0-9, names the run's accounts and instruments; random by default. */
  runId: string;
  /** `SEED`: makes the trades of a run reproducible; default 1. */
  seed: number;
  /** `INVALID_SHARE`: share of each rejection kind in the mix (12 kinds), default 0.025 (30% rejected). */
  invalidShare: number;
  /** `SLOW_MS`: a request slower than this is logged with its trace id; default 500. */
  slowMs: number;
  /** `JAEGER_URL`: where the logged trace links point; default http://127.0.0.1:16686. */
  jaegerUrl: string;
}

/** A string setting, or its default. */
export function textEnv(name: string, fallback: string): string {
  const value = __ENV[name];
  return value === undefined || value === '' ? fallback : value;
}

/** A numeric setting, or its default; a value that is not a number stops the run with its name. */
export function numberEnv(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${raw}"`);
  return value;
}

function randomRunId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let id = 'K';
  for (let i = 0; i < 5; i++) id += alphabet.charAt(Math.floor(Math.random() * alphabet.length));
  return id;
}

/**
 * Reads the shared settings. In the init context a random run id differs per VU, so `setup()` fixes the run
 * id once and hands it to every VU in its data.
 */
export function loadEnv(): LoadEnv {
  return {
    baseUrl: textEnv('BASE_URL', 'http://127.0.0.1:8080').replace(/\/+$/, ''),
    apiKey: textEnv('API_KEY', ''),
    runId: textEnv('RUN_ID', randomRunId()),
    seed: numberEnv('SEED', 1),
    invalidShare: numberEnv('INVALID_SHARE', 0.025),
    slowMs: numberEnv('SLOW_MS', 500),
    jaegerUrl: textEnv('JAEGER_URL', 'http://127.0.0.1:16686').replace(/\/+$/, ''),
  };
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a k6 duration such as `90s`, `1m30s` or `2h`; throws on anything else. */
export function durationMs(text: string): number {
  let total = 0;
  let consumed = '';
  DURATION_PART.lastIndex = 0;
  for (let part = DURATION_PART.exec(text); part !== null; part = DURATION_PART.exec(text)) {
    total += Number(part[1]) * (UNIT_MS[part[2] ?? ''] ?? Number.NaN);
    consumed += part[0];
  }
  if (consumed !== text || !Number.isFinite(total)) throw new Error(`not a duration: "${text}"`);
  return total;
}
