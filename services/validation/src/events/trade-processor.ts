/**
 * The stream processor: a batch of submitted trades (one partition, in order) in, one outcome per trade out.
 *
 * Idempotency: the outcome of a trade version is recorded (in its fingerprint bucket) before it is published and
 * the offset is committed only after the publish, so a redelivered trade finds its recorded outcome and
 * republishes it unchanged; it is never judged twice and its notional is never counted twice (for as long as
 * the bucket is kept: VALIDATION_RECORD_RETENTION, longer than the topic keeps messages). Two instances that
 * process the same partition during a rebalance race on conditional writes: the loser re-reads and republishes
 * what the winner recorded.
 *
 * Cancellations come on the same topic (type `tradeflow.trades.cancelled.v1`), in order with the trade's
 * submissions and amendments: a batch is processed in runs, the submissions between two cancellations judged
 * together, each cancellation applied where it stands. A cancellation releases what the cancelled version
 * counted from its day's total once (the bucket entry is marked released in the same conditional transaction)
 * and publishes no outcome.
 */
import { EventTypes, Topics, TradeCancelled, TradeSubmitted, type TradeOutcome } from '@tradeflow/contracts';
import {
  setMessageAttributes,
  type Bus,
  type BusMessage,
  type PublishMessage,
} from '@tradeflow/platform/bus';
import { UnavailableError, ValidationError } from '@tradeflow/platform/errors';
import { isRetriableStoreError, StoreConflictError } from '@tradeflow/platform/store';
import { outcomeAttributes } from '@tradeflow/platform/trace';
import {
  cancelledBucketKey,
  chunkWrites,
  dailyTotalKey,
  planBatch,
  planCancellation,
  recordedState,
  referenceFor,
  roundAmount,
  tradeDayOf,
  tradeKey,
  type FingerprintBucket,
  type ReferenceData,
  type ReferenceLookup,
  type ValidationSettings,
} from '../domain';
import type { ValidationStore } from '../store';
import type { ValidationMetrics } from './validation-metrics';

/** DynamoDB's limit on items in one TransactWriteItems call. */
export const MAX_TRANSACTION_ITEMS = 100;
/**
 * Attempts per batch inside the handler when a write loses a race or the store is briefly unavailable,
 * before the batch is failed and the bus's own retries take over. Kept well under a Kafka session timeout.
 */
const MAX_RECOMPUTES = 6;

/** Structural logger (pino fits). */
export interface ProcessorLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface TradeProcessorDeps {
  bus: Bus;
  store: ValidationStore;
  reference: ReferenceLookup;
  settings: ValidationSettings;
  metrics: ValidationMetrics;
  logger: ProcessorLogger;
  /** Validation time; the wall clock unless a test says otherwise. */
  clock?: () => Date;
  /** Items per transaction (default and maximum 100). */
  maxTransactionItems?: number;
  /** Where outcomes go (default `trades.outcomes`). */
  outcomesTopic?: string;
}

/** Reads a message's data as a submitted trade; a message that is not one is a poison message. */
export function parseSubmittedTrade(message: BusMessage): TradeSubmitted {
  const parsed = TradeSubmitted.safeParse(message.data);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    parsed.error.issues.map((issue) => ({ field: `/${issue.path.join('/')}`, message: issue.message })),
    `Message ${message.id} on ${message.topic} (partition ${message.partition}, offset ${message.offset}) is not a submitted trade.`,
    'VALIDATION.MALFORMED_TRADE',
  );
}

/** Reads a message's data as a cancellation; a message that is not one is a poison message. */
export function parseCancellation(message: BusMessage): TradeCancelled {
  const parsed = TradeCancelled.safeParse(message.data);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    parsed.error.issues.map((issue) => ({ field: `/${issue.path.join('/')}`, message: issue.message })),
    `Message ${message.id} on ${message.topic} (partition ${message.partition}, offset ${message.offset}) is not a trade cancellation.`,
    'VALIDATION.MALFORMED_CANCELLATION',
  );
}

/** One event of `trades.submitted`: a trade version to judge or a cancellation to apply. */
export type TradeEvent =
  | { readonly kind: 'submitted'; readonly trade: TradeSubmitted }
  | { readonly kind: 'cancelled'; readonly cancellation: TradeCancelled };

/** Reads a message of `trades.submitted` by its CloudEvents type (any other type is read as a submission). */
export function parseTradeEvent(message: BusMessage): TradeEvent {
  return message.type === EventTypes.tradeCancelled
    ? { kind: 'cancelled', cancellation: parseCancellation(message) }
    : { kind: 'submitted', trade: parseSubmittedTrade(message) };
}

/** What a cancellation did (the `result` label of `validation_cancellations_total`). */
export type CancellationResult = 'released' | 'already_released' | 'nothing_counted' | 'unknown';

/** The outcome event of one trade version; its id is stable, so a republished outcome is recognisably the same. */
export function outcomeMessage(
  outcome: TradeOutcome,
  topic: string = Topics.tradeOutcomes,
): PublishMessage<TradeOutcome> {
  return {
    topic,
    key: outcome.accountId,
    type: outcome.status === 'VALIDATED' ? EventTypes.tradeValidated : EventTypes.tradeRejected,
    data: outcome,
    id: `outcome:${outcome.tradeId}:${outcome.version}`,
    subject: outcome.tradeId,
    time: outcome.validatedAt,
  };
}

/**
 * A random pause before trying again: short after a lost race (so two instances do not collide again in
 * lockstep), longer while the store is unavailable (so a few seconds' outage does not exhaust the message's
 * attempts and dead-letter good trades).
 */
function pause(attempt: number, reason: 'conflict' | 'unavailable'): Promise<void> {
  const ms =
    reason === 'conflict'
      ? Math.random() * Math.min(500, 20 * 2 ** attempt)
      : Math.min(2_000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Judges batches of submitted trades and publishes their outcomes. */
export class TradeProcessor {
  private readonly clock: () => Date;
  private readonly maxItems: number;
  private readonly outcomesTopic: string;

  constructor(private readonly deps: TradeProcessorDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.outcomesTopic = deps.outcomesTopic ?? Topics.tradeOutcomes;
    this.maxItems = Math.min(MAX_TRANSACTION_ITEMS, deps.maxTransactionItems ?? MAX_TRANSACTION_ITEMS);
  }

  /**
   * The bus's batch handler. Throws on a malformed message before anything is written (the bus then retries
   * the batch's messages one by one, so only the poison one ends in the dead-letter topic); resolves once every
   * outcome is recorded and published, after which the bus commits the batch.
   */
  async handleBatch(messages: BusMessage[]): Promise<void> {
    const stopTimer = this.deps.metrics.batchSeconds.startTimer();
    const events = messages.map(parseTradeEvent);
    // Submissions between two cancellations are judged together; each cancellation waits for the ones before it
    // (the version it cancels may be among them) and comes before the ones after it: partition order holds.
    let run: { messages: BusMessage[]; trades: TradeSubmitted[] } = { messages: [], trades: [] };
    for (const [i, event] of events.entries()) {
      if (event.kind === 'submitted') {
        run.messages.push(messages[i] as BusMessage);
        run.trades.push(event.trade);
        continue;
      }
      if (run.trades.length > 0) await this.handleSubmitted(run.messages, run.trades);
      run = { messages: [], trades: [] };
      await this.handleCancellation(event.cancellation);
    }
    if (run.trades.length > 0) await this.handleSubmitted(run.messages, run.trades);
    stopTimer();
  }

  /** Judges (or finds recorded) a run of submitted trades and publishes their outcomes. */
  private async handleSubmitted(messages: BusMessage[], trades: TradeSubmitted[]): Promise<void> {
    // A trade version twice in one batch (a producer retry) is judged and published once.
    const unique = [...new Map(trades.map((t) => [tradeKey(t), t])).values()];
    // Each outcome continues the trace of the message that brought its trade (the last one, like `unique`).
    const sources = new Map(trades.map((t, i) => [tradeKey(t), messages[i] as BusMessage]));
    const outcomes = await this.judgeOnce(unique);
    const outcomeOf = (t: TradeSubmitted) => outcomes.get(tradeKey(t)) as TradeOutcome;
    trades.forEach((t, i) =>
      setMessageAttributes(messages[i] as BusMessage, outcomeAttributes(outcomeOf(t))),
    );
    await this.deps.bus.publishBatch(
      unique.map((t) => ({
        ...outcomeMessage(outcomeOf(t), this.outcomesTopic),
        causedBy: sources.get(tradeKey(t)),
        traceAttributes: outcomeAttributes(outcomeOf(t)),
      })),
    );
  }

  /**
   * Releases what the cancelled version counted, once, and publishes nothing. A version that counted nothing
   * (rejected) or has no record (never judged here, or its bucket expired) changes nothing.
   */
  private async handleCancellation(cancellation: TradeCancelled): Promise<void> {
    const { tradeId, version } = cancellation;
    const bucketKey = cancelledBucketKey(cancellation, this.deps.settings.duplicateWindowMs);
    const result = await this.retrying(
      `Releasing cancelled trade ${tradeId} version ${version}`,
      async () => {
        const bucket = await this.deps.store.bucket(bucketKey);
        const plan = planCancellation(cancellation, bucket);
        if (plan.result !== 'release') return plan.result;
        const before = (await this.deps.store.dailyTotals([plan.dayKey])).get(plan.dayKey);
        await this.deps.store.release(
          {
            bucketKey,
            bucketRev: (bucket as FingerprintBucket).rev,
            index: plan.index,
            total: {
              key: plan.dayKey,
              total: roundAmount((before?.total ?? 0) - plan.amount),
              expectedRev: before?.rev ?? 0,
            },
          },
          this.clock(),
        );
        return 'released' as const;
      },
    );
    this.deps.metrics.cancellations.labels(result).inc();
    const context = { tradeId, version, accountId: cancellation.accountId, result };
    if (result === 'unknown')
      this.deps.logger.warn(context, 'cancelled trade version has no record here; nothing to release');
    else this.deps.logger.debug(context, 'cancellation applied');
  }

  /** The outcome of every trade: recorded ones as they are, the others judged and recorded now. */
  private judgeOnce(trades: readonly TradeSubmitted[]): Promise<Map<string, TradeOutcome>> {
    return this.retrying(`Recording the outcomes of ${trades.length} trades`, (attempt) =>
      this.attempt(trades, attempt),
    );
  }

  /**
   * Runs `work` again (after a pause) when it lost a race to another writer or the store was briefly
   * unavailable; after MAX_RECOMPUTES tries the batch fails and the bus's own retries take over.
   */
  private async retrying<T>(what: string, work: (attempt: number) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work(attempt);
      } catch (err) {
        const reason =
          err instanceof StoreConflictError
            ? 'conflict'
            : isRetriableStoreError(err)
              ? 'unavailable'
              : undefined;
        if (reason === undefined) throw err;
        if (attempt >= MAX_RECOMPUTES) {
          throw new UnavailableError(
            `${what} failed ${attempt} times in a row (${reason}); the batch is retried.`,
            'VALIDATION.RECORD_FAILED',
            err,
          );
        }
        if (reason === 'conflict') this.deps.metrics.conflicts.inc();
        this.deps.logger.warn(
          { attempt, what, reason, err: err instanceof Error ? err.message : String(err) },
          reason === 'conflict'
            ? 'another writer recorded part of this batch first; re-reading and computing again'
            : 'the store is unavailable; re-reading and trying again',
        );
        await pause(attempt, reason);
      }
    }
  }

  /**
   * One try: one read of the batch's buckets and daily totals, then the recorded outcomes as they are and the
   * others judged in order and recorded chunk by chunk.
   */
  private async attempt(
    trades: readonly TradeSubmitted[],
    attempt: number,
  ): Promise<Map<string, TradeOutcome>> {
    const references = new Map<string, ReferenceData>(
      trades.map((t) => [tradeKey(t), referenceFor(t, this.deps.reference)]),
    );
    const referenceOf = (t: TradeSubmitted) => references.get(tradeKey(t)) as ReferenceData;
    // A trade's day key needs reference data only, so the totals are read with the buckets, in one call.
    const dayKeys = trades.map((t) => dailyTotalKey(t.accountId, tradeDayOf(t, referenceOf(t).market)));
    const { buckets, totals } = await this.deps.store.read(trades, dayKeys);
    const { recorded, contributions, earlierTrades } = recordedState(
      trades,
      buckets,
      this.deps.settings.duplicateWindowMs,
    );
    const outcomes = new Map(recorded);
    const pending = trades.filter((t) => !recorded.has(tradeKey(t)));
    if (attempt === 1 && recorded.size > 0) this.deps.metrics.reused.inc(recorded.size);
    if (pending.length === 0) return outcomes;

    // Rare: an earlier version counted towards a day not read above (its instrument's market or that market's
    // time zone changed since), so its total is read now, before the amendment releases the amount from it.
    const read = new Set(dayKeys);
    const missing = [...contributions.values()].flatMap((c) =>
      c.dayKey === undefined || read.has(c.dayKey) ? [] : [c.dayKey],
    );
    if (missing.length > 0)
      for (const [key, total] of await this.deps.store.dailyTotals(missing)) totals.set(key, total);

    const now = this.clock();
    const planned = planBatch(
      pending,
      { totals, contributions, earlierTrades },
      { now, settings: this.deps.settings, referenceOf },
    );
    for (const chunk of chunkWrites(planned, { totals, buckets }, this.maxItems)) {
      await this.deps.store.record(chunk, now);
      for (const { outcome } of chunk.trades) {
        outcomes.set(tradeKey(outcome), outcome);
        this.deps.metrics.validations.labels(outcome.status).inc();
        for (const failure of outcome.failures) this.deps.metrics.ruleFailures.labels(failure.ruleId).inc();
      }
    }
    return outcomes;
  }
}
