/**
 * The validation service's own variables. Everything else it needs (bus, store, lifecycle, logging) comes
 * from the shared fragments the composition root adds.
 */
import { z } from 'zod';
import { env, serviceHttpEnv } from '@tradeflow/platform/config';

/** A percentage above 0 (`5`, `2.5`). */
function percent() {
  return z.string({ error: 'is required' }).transform((value, ctx): number => {
    const n = value.trim() === '' ? NaN : Number(value);
    if (Number.isFinite(n) && n > 0 && n <= 100) return n;
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(value)} is not a percentage above 0 and at most 100`,
    });
    return z.NEVER;
  });
}

const settingsEnv = z.object({
  /** Largest deviation from the reference price, in percent. */
  VALIDATION_PRICE_COLLAR_PERCENT: percent().default(5),
  /** A reference price older than this is stale. */
  VALIDATION_STALE_PRICE_MAX_AGE: env.durationMs().default(15 * 60_000),
  /** Identical trades (account, symbol, side, quantity, price) closer in trade time than this are duplicates. */
  VALIDATION_DUPLICATE_WINDOW: env.durationMs().default(60_000),
  /**
   * How long a fingerprint bucket (the record of the trade versions judged in it) is kept after its last write
   * (TTL). A version redelivered later than this is judged again and counted again, so it must outlast the
   * retention of `trades.submitted` (24 h in scripts/infra); it also bounds the duplicate search of late trades.
   */
  VALIDATION_RECORD_RETENTION: env.durationMs().default(7 * 24 * 3_600_000),
  /** Most trades handed to the processor at once (one partition's, in order). */
  VALIDATION_BATCH_SIZE: env.positiveInt().default(100),
  /** Partitions one instance processes at the same time. */
  VALIDATION_CONCURRENCY: env.positiveInt().default(2),
  /** Attempts per message before a failing one goes to `trades.submitted.dlq`. */
  VALIDATION_MAX_ATTEMPTS: env.positiveInt().default(5),
  /** First delay between attempts; it doubles up to 10 s. */
  VALIDATION_RETRY_BACKOFF: env.durationMs().default(200),
  /** Longest start waits for the reference cache to catch up with the reference topic. */
  VALIDATION_REFERENCE_CATCH_UP_TIMEOUT: env.durationMs().default(60_000),
});

/** `VALIDATION_*` variables and the service's HTTP server (`VALIDATION_HTTP_PORT`, default 8083). */
export const validationEnv = z
  .intersection(settingsEnv, serviceHttpEnv('VALIDATION', 8083))
  .transform((v) => ({
    // serviceHttpEnv's computed port key widens its output's field types; the values are the strings it parsed.
    http: { host: String(v.host), port: v.port, bodyLimit: String(v.bodyLimit) },
    settings: {
      priceCollarPercent: v.VALIDATION_PRICE_COLLAR_PERCENT,
      stalePriceMaxAgeMs: v.VALIDATION_STALE_PRICE_MAX_AGE,
      duplicateWindowMs: v.VALIDATION_DUPLICATE_WINDOW,
    },
    processor: {
      batchSize: v.VALIDATION_BATCH_SIZE,
      concurrency: v.VALIDATION_CONCURRENCY,
      maxAttempts: v.VALIDATION_MAX_ATTEMPTS,
      retryBackoffMs: v.VALIDATION_RETRY_BACKOFF,
    },
    referenceCatchUpTimeoutMs: v.VALIDATION_REFERENCE_CATCH_UP_TIMEOUT,
    recordRetentionMs: v.VALIDATION_RECORD_RETENTION,
  }));
export type ValidationConfig = z.output<typeof validationEnv>;

/** The service's config fragments, for `runMain` and the all-in-one. */
export const config = { validation: validationEnv } as const;
