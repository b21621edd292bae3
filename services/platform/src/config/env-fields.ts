/**
 * Field builders for environment strings. Each one parses a raw `string | undefined` into a typed value
 * and, when the string is wrong, says what it expected while quoting what it got, so the message names
 * the problem without a lookup (`"kafka:abc" is not a host:port list`).
 */
import { z } from 'zod';

/** The pino log levels plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const MAX_QUOTED = 80;

/** The raw value in quotes, shortened so a pasted blob does not flood the message. */
export function quote(value: string): string {
  const shown = value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}…` : value;
  return JSON.stringify(shown);
}

/** A required environment string; unset (or empty, see loadConfig) reads "is required". */
function raw(): z.ZodString {
  return z.string({ error: 'is required' });
}

/** Builds a field from a parser that returns the value or a reason why the string is wrong. */
function parsed<T>(parse: (value: string) => { ok: true; value: T } | { ok: false; reason: string }) {
  return raw().transform((value, ctx): T => {
    const result = parse(value);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.reason });
    return z.NEVER;
  });
}

function integer(value: string): number | undefined {
  const trimmed = value.trim();
  return /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** Splits `host:port` (or `[v6]:port`) and checks both halves; returns the reason when wrong. */
function checkHostPort(entry: string): string | undefined {
  const colon = entry.lastIndexOf(':');
  if (colon < 0) return `${quote(entry)} has no port`;
  const host = entry.slice(0, colon);
  const port = integer(entry.slice(colon + 1));
  if (host === '') return `${quote(entry)} has no host`;
  if (host.includes(':') && !/^\[[0-9a-fA-F:.]+\]$/.test(host)) return `${quote(entry)} has a malformed host`;
  if (/\s|\//.test(host)) return `${quote(entry)} has a malformed host`;
  if (port === undefined || port < 1 || port > 65535) return `${quote(entry)} has no port in 1-65535`;
  return undefined;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The builders, used as `env.port()`, `env.oneOf(['memory', 'kafka'])`, … inside a `z.object` of variables. */
export const env = {
  /** Any non-empty string, kept as given. */
  string() {
    return raw();
  },

  /** A TCP port, 0-65535 (0 asks the OS for a free one, which tests use). */
  port() {
    return parsed((value) => {
      const n = integer(value);
      return n !== undefined && n >= 0 && n <= 65535
        ? { ok: true, value: n }
        : { ok: false, reason: `${quote(value)} is not a port (0-65535)` };
    });
  },

  /** An integer of at least 1. */
  positiveInt() {
    return parsed((value) => {
      const n = integer(value);
      return n !== undefined && n >= 1 && Number.isSafeInteger(n)
        ? { ok: true, value: n }
        : { ok: false, reason: `${quote(value)} is not a positive integer` };
    });
  },

  /** A number between 0 and 1 (a sampling ratio). */
  ratio() {
    return parsed((value) => {
      const n = value.trim() === '' ? NaN : Number(value);
      return n >= 0 && n <= 1
        ? { ok: true, value: n }
        : { ok: false, reason: `${quote(value)} is not a ratio between 0 and 1` };
    });
  },

  /** A duration in milliseconds: `1500`, `1500ms`, `10s`, `2m` or `1h`. */
  durationMs() {
    return parsed((value) => {
      const match = /^\s*(\d+)\s*(ms|s|m|h)?\s*$/.exec(value);
      const amount = match?.[1];
      if (amount === undefined) {
        return { ok: false, reason: `${quote(value)} is not a duration (milliseconds, or with ms/s/m/h)` };
      }
      return { ok: true, value: Number(amount) * (DURATION_UNITS[match?.[2] ?? 'ms'] ?? 1) };
    });
  },

  /** `true`/`false`/`1`/`0`, any case. */
  boolean() {
    return parsed((value) => {
      const v = value.trim().toLowerCase();
      if (v === 'true' || v === '1') return { ok: true, value: true };
      if (v === 'false' || v === '0') return { ok: true, value: false };
      return { ok: false, reason: `${quote(value)} is not a boolean (true, false, 1 or 0)` };
    });
  },

  /** An absolute URL with one of `protocols` (default http and https), kept as given. */
  url(protocols: readonly string[] = ['http', 'https']) {
    return parsed((value) => {
      let protocol: string | undefined;
      try {
        protocol = new URL(value).protocol.replace(/:$/, '');
      } catch {
        return { ok: false, reason: `${quote(value)} is not a URL` };
      }
      return protocols.includes(protocol)
        ? { ok: true, value }
        : { ok: false, reason: `${quote(value)} is not a ${protocols.join(' or ')} URL` };
    });
  },

  /** One of a fixed set of strings. */
  oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    const isOneOf = (value: string): value is T[number] => values.includes(value);
    return parsed<T[number]>((value) =>
      isOneOf(value)
        ? { ok: true, value }
        : { ok: false, reason: `${quote(value)} is not one of ${values.join(', ')}` },
    );
  },

  /** A comma-separated list of `host:port` addresses (Kafka bootstrap brokers); never empty. */
  brokerList() {
    return parsed((value) => {
      const entries = value
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== '');
      if (entries.length === 0) return { ok: false, reason: `${quote(value)} is not a host:port list` };
      const reasons = entries.map(checkHostPort).filter((r): r is string => r !== undefined);
      return reasons.length === 0
        ? { ok: true, value: entries }
        : { ok: false, reason: `${quote(value)} is not a host:port list (${reasons.join('; ')})` };
    });
  },

  /** A size as express's body parser reads it: `1024`, `100kb`, `1mb`, `1.5gb`. */
  byteSize() {
    return parsed((value) =>
      /^\s*\d+(\.\d+)?\s*(b|kb|mb|gb)?\s*$/i.test(value)
        ? { ok: true, value: value.trim() }
        : { ok: false, reason: `${quote(value)} is not a size (like 512kb or 1mb)` },
    );
  },

  /** A pino log level. */
  logLevel() {
    return env.oneOf(LOG_LEVELS);
  },
};
