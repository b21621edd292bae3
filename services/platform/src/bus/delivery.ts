/**
 * The consumer side both adapters share, so retries and dead-lettering behave identically: records of
 * one partition are handed to the handler in order, a failure is retried with backoff inside the
 * consumer, and after the last attempt the record goes to `<topic>.dlq` and counts as finished, so a
 * handler that keeps throwing neither crashes the process nor blocks its partition for good. Only a
 * failed dead-letter publish holds the partition: the record stays uncommitted and is tried again.
 */
import { backoffDelay, sleep } from '../backoff';
import { decodeEnvelope, deadLetterRecord, type EncodedRecord, type RawRecord } from './envelope';
import type { BusObserver } from './observer';
import {
  deadLetterTopic,
  DEFAULT_RETRY_POLICY,
  type BusLogger,
  type BusMessage,
  type RetryPolicy,
  type Subscription,
} from './port';
import { inTraceOf, traceProcess, type MessagingSystem } from './tracing';

/** Largest slice of a partition handed to a batch handler when the subscription names no size. */
export const DEFAULT_MAX_BATCH_SIZE = 100;

// Longest single wait between retries before the consumer proves it is alive (Kafka heartbeat).
const HEARTBEAT_SLICE_MS = 1000;

/** Everything a member needs to process what its adapter fetched. */
export interface DeliveryContext {
  system: MessagingSystem;
  subscription: Subscription;
  observer: BusObserver;
  logger: BusLogger;
  /**
   * Aborted when the subscription starts closing: a running handler finishes and its record is committed on
   * success; no new attempts, so a record waiting between retries (or failing now) stays uncommitted.
   */
  closing: AbortSignal;
  /** True when the partition was taken away (rebalance, seek): stop before the next record. */
  isStale?: () => boolean;
  /** Publishes a dead letter and resolves once the bus acknowledged it. */
  deadLetter(topic: string, record: EncodedRecord): Promise<void>;
  /** Called while waiting between retries; a rebalance error it throws propagates to the adapter. */
  heartbeat?: () => Promise<void>;
}

type Outcome = 'done' | 'abandoned';

/** The retry policy in force for `subscription`. */
export function retryPolicyOf(subscription: Subscription): RetryPolicy {
  return subscription.retry ?? DEFAULT_RETRY_POLICY;
}

/**
 * Processes `records` (one partition, in offset order). `finished(record)` is awaited once a record is done
 * (handled or dead-lettered) so the adapter can commit up to it; after a batch handler succeeded it is called
 * once, with the batch's last record, which stands for the whole batch. Processing stops at the first record
 * abandoned because the subscription is closing or lost the partition.
 */
export async function processRecords(
  ctx: DeliveryContext,
  records: readonly RawRecord[],
  finished: (record: RawRecord) => void | Promise<void>,
): Promise<void> {
  const sub = ctx.subscription;
  if (sub.batchHandler === undefined) {
    for (const record of records) {
      if (shouldStop(ctx) || (await processOne(ctx, record)) === 'abandoned') return;
      await finished(record);
    }
    return;
  }
  const size = Math.max(1, sub.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE);
  for (let i = 0; i < records.length; i += size) {
    if ((await processChunk(ctx, records.slice(i, i + size), finished)) === 'abandoned') return;
  }
}

function shouldStop(ctx: DeliveryContext): boolean {
  return ctx.closing.aborted || (ctx.isStale?.() ?? false);
}

/** A batch handler gets the decodable runs of the chunk; an undecodable record is dead-lettered in its place. */
async function processChunk(
  ctx: DeliveryContext,
  chunk: readonly RawRecord[],
  finished: (record: RawRecord) => void | Promise<void>,
): Promise<Outcome> {
  let run: { record: RawRecord; message: BusMessage }[] = [];
  const flush = async (): Promise<Outcome> => {
    const current = run;
    run = [];
    if (current.length === 0) return 'done';
    if (shouldStop(ctx)) return 'abandoned';
    if (
      await tryBatch(
        ctx,
        current.map((r) => r.message),
      )
    ) {
      // One step for the whole batch: a rebalance between per-record commits would redeliver handled ones.
      await finished((current[current.length - 1] as { record: RawRecord }).record);
      return 'done';
    }
    // Isolate the poison: every message of the failed batch is retried alone under the policy.
    for (const { record } of current) {
      if (shouldStop(ctx) || (await processOne(ctx, record)) === 'abandoned') return 'abandoned';
      await finished(record);
    }
    return 'done';
  };
  for (const record of chunk) {
    let message: BusMessage;
    try {
      message = decodeEnvelope(record, 1);
    } catch (err) {
      if ((await flush()) === 'abandoned' || shouldStop(ctx)) return 'abandoned';
      await sendToDeadLetter(ctx, record, err, 0);
      await finished(record);
      continue;
    }
    run.push({ record, message });
  }
  return flush();
}

async function tryBatch(ctx: DeliveryContext, messages: BusMessage[]): Promise<boolean> {
  const sub = ctx.subscription;
  const first = messages[0] as BusMessage;
  try {
    await traceProcess(ctx.system, sub.group, messages, () => invoke(sub, messages));
    for (const m of messages) ctx.observer.consumed(m.topic, sub.group);
    return true;
  } catch (err) {
    // One handler attempt failed, however many messages it held: the healthy ones are not failures.
    ctx.observer.failed(first.topic, sub.group);
    ctx.logger.warn(
      {
        topic: first.topic,
        partition: first.partition,
        group: sub.group,
        size: messages.length,
        err: errorText(err),
      },
      'bus batch handler failed; retrying its messages one by one',
    );
    return false;
  }
}

/** One record under the retry policy: handled, dead-lettered after the last attempt, or abandoned on close. */
async function processOne(ctx: DeliveryContext, record: RawRecord): Promise<Outcome> {
  const sub = ctx.subscription;
  const policy = retryPolicyOf(sub);
  let decoded: BusMessage;
  try {
    decoded = decodeEnvelope(record, 1);
  } catch (err) {
    // Retrying cannot make a malformed record readable.
    await sendToDeadLetter(ctx, record, err, 0);
    return 'done';
  }
  for (let attempt = 1; ; attempt++) {
    if (ctx.closing.aborted) return 'abandoned';
    const message = { ...decoded, attempt };
    try {
      await traceProcess(ctx.system, sub.group, [message], () => invoke(sub, [message]));
      ctx.observer.consumed(record.topic, sub.group);
      return 'done';
    } catch (err) {
      ctx.observer.failed(record.topic, sub.group);
      // A failure once the subscription is closing (or lost the partition) may be the shutdown's doing: the
      // record stays uncommitted for the next member instead of being dead-lettered as poison.
      if (shouldStop(ctx)) return 'abandoned';
      if (attempt >= policy.maxAttempts) {
        await sendToDeadLetter(ctx, record, err, attempt);
        return 'done';
      }
      const delay = backoffDelay(attempt, policy.backoff);
      inTraceOf(record.headers, () =>
        ctx.logger.warn(
          { ...where(record), group: sub.group, attempt, retryInMs: delay, err: errorText(err) },
          'bus handler failed; retrying',
        ),
      );
      if (!(await waitBeforeRetry(ctx, delay))) return 'abandoned';
    }
  }
}

function invoke(sub: Subscription, messages: BusMessage[]): Promise<void> {
  if (sub.batchHandler !== undefined) return sub.batchHandler(messages);
  return sub.handler(messages[0] as BusMessage);
}

/** Sleeps `ms` in slices, heartbeating between them; false when the subscription started closing. */
async function waitBeforeRetry(ctx: DeliveryContext, ms: number): Promise<boolean> {
  let remaining = ms;
  do {
    const slice = Math.min(remaining, HEARTBEAT_SLICE_MS);
    try {
      await sleep(slice, ctx.closing);
    } catch {
      return false;
    }
    remaining -= slice;
    if (ctx.heartbeat) await ctx.heartbeat();
  } while (remaining > 0);
  return !ctx.closing.aborted;
}

async function sendToDeadLetter(ctx: DeliveryContext, record: RawRecord, error: unknown, attempts: number) {
  const group = ctx.subscription.group;
  await ctx.deadLetter(deadLetterTopic(record.topic), deadLetterRecord(record, { error, attempts, group }));
  ctx.observer.deadLettered(record.topic, group);
  inTraceOf(record.headers, () =>
    ctx.logger.error(
      { ...where(record), group, attempts, err: errorText(error) },
      'bus message moved to its dead-letter topic',
    ),
  );
}

function where(record: RawRecord) {
  return { topic: record.topic, partition: record.partition, offset: record.offset, key: record.key };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
