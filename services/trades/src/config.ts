/**
 * The trades service's own variables. Everything else it needs (bus, store, lifecycle, logging) comes from
 * the shared fragments the composition root adds.
 */
import { env, serviceHttpEnv } from '@tradeflow/platform/config';
import { z } from 'zod';

/** Most items a `POST /v1/trades/batch` may carry; the API promises 1,000. */
export const MAX_BATCH_ITEMS = 1000;

const settingsEnv = z.object({
  /** Items allowed in one batch request (at most 1,000). */
  TRADES_BATCH_MAX_ITEMS: env
    .positiveInt()
    .pipe(z.number().max(MAX_BATCH_ITEMS, { error: `must be at most ${MAX_BATCH_ITEMS}` }))
    .default(MAX_BATCH_ITEMS),
  /** Single submissions written and published together at most (the group commit of `POST /v1/trades`). */
  TRADES_SINGLE_GROUP_MAX: env.positiveInt().default(100),
  /** Single submissions waiting for a group at most; beyond it a submission is a 503 with Retry-After. */
  TRADES_SINGLE_QUEUE_MAX: env.positiveInt().default(2_000),
  /** Lines of a bulk upload written and published together (one BatchWriteItem run and one publishBatch). */
  TRADES_BULK_CHUNK_SIZE: env.positiveInt().default(500),
  /** Longest line a bulk upload may contain, in bytes; a longer one is a line error. */
  TRADES_BULK_MAX_LINE_BYTES: env.positiveInt().default(16_384),
  /** Attempts per bulk chunk (write + publish) before the job fails. */
  TRADES_BULK_CHUNK_ATTEMPTS: env.positiveInt().default(3),
  /** Longest a request may take to arrive, body included: bounds a bulk upload (Node's default is 5 min). */
  TRADES_BULK_UPLOAD_TIMEOUT: env.durationMs().default(3_600_000),
  /** How long bulk jobs and their line errors are kept (DynamoDB TTL). */
  TRADES_BULK_RETENTION: env.durationMs().default(7 * 24 * 3_600_000),
  /** How long an Idempotency-Key remembers its first response (DynamoDB TTL). */
  TRADES_IDEMPOTENCY_TTL: env.durationMs().default(24 * 3_600_000),
  /** How long a request holds its Idempotency-Key before a crashed holder's key may be taken over. */
  TRADES_IDEMPOTENCY_LOCK: env.durationMs().default(60_000),
  /** Outcomes handed to the status updater at once (one partition's, in order). */
  TRADES_STATUS_BATCH_SIZE: env.positiveInt().default(200),
  /** Status transactions (up to 100 conditional outcome updates each) in flight at once per batch. */
  TRADES_STATUS_UPDATE_CONCURRENCY: env.positiveInt().default(16),
  /** Partitions of `trades.outcomes` one instance processes at the same time. */
  TRADES_STATUS_CONCURRENCY: env.positiveInt().default(2),
  /** Longest start waits for the reference cache to catch up with the reference topic. */
  TRADES_REFERENCE_CATCH_UP_TIMEOUT: env.durationMs().default(60_000),
});

/** `TRADES_*` variables and the service's HTTP server (`TRADES_HTTP_PORT`, default 8081). */
export const tradesEnv = z.intersection(settingsEnv, serviceHttpEnv('TRADES', 8081)).transform((v) => ({
  http: { host: String(v.host), port: v.port, bodyLimit: String(v.bodyLimit) },
  intake: {
    batchMaxItems: v.TRADES_BATCH_MAX_ITEMS,
    singleGroupMax: v.TRADES_SINGLE_GROUP_MAX,
    singleQueueMax: v.TRADES_SINGLE_QUEUE_MAX,
  },
  bulk: {
    chunkSize: v.TRADES_BULK_CHUNK_SIZE,
    maxLineBytes: v.TRADES_BULK_MAX_LINE_BYTES,
    chunkAttempts: v.TRADES_BULK_CHUNK_ATTEMPTS,
    uploadTimeoutMs: v.TRADES_BULK_UPLOAD_TIMEOUT,
    retentionMs: v.TRADES_BULK_RETENTION,
  },
  idempotency: { ttlMs: v.TRADES_IDEMPOTENCY_TTL, lockMs: v.TRADES_IDEMPOTENCY_LOCK },
  status: {
    batchSize: v.TRADES_STATUS_BATCH_SIZE,
    updateConcurrency: v.TRADES_STATUS_UPDATE_CONCURRENCY,
    concurrency: v.TRADES_STATUS_CONCURRENCY,
  },
  referenceCatchUpTimeoutMs: v.TRADES_REFERENCE_CATCH_UP_TIMEOUT,
}));
export type TradesConfig = z.output<typeof tradesEnv>;

/** The service's config fragments, for `runMain` and the all-in-one. */
export const config = { trades: tradesEnv } as const;
