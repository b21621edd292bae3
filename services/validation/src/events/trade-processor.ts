/**
 * The stream processor: a batch of submitted trades (one partition, in order) in, one outcome per trade out.
 *
 * Idempotency: the outcome of a trade version is recorded (in its fingerprint bucket) before it is published and
 * the offset is committed only after the publish, so a redelivered trade finds its recorded outcome and
 * republishes it unchanged; it is never judged twice and its notional is never counted twice (for as long as
 * the bucket is kept: VALIDATION_RECORD_RETENTION, longer than the topic keeps messages). Two instances that
 * process the same partition during a rebalance race on conditional writes: the loser re-reads and republishes
 * what the winner recorded.
 */
import { EventTypes, Topics, TradeSubmitted, type TradeOutcome } from '@tradeflow/contracts';
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
  chunkWrites,
  dailyTotalKey,
  planBatch,
  recordedState,
  referenceFor,
  tradeDayOf,
  tradeKey,
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
    const trades = messages.map(parseSubmittedTrade);
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
    stopTimer();
  }

  /** The outcome of every trade: recorded ones as they are, the others judged and recorded now. */
  private async judgeOnce(trades: readonly TradeSubmitted[]): Promise<Map<string, TradeOutcome>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(trades, attempt);
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
            `Recording the outcomes of ${trades.length} trades failed ${attempt} times in a row (${reason}); the batch is retried.`,
            'VALIDATION.RECORD_FAILED',
            err,
          );
        }
        if (reason === 'conflict') this.deps.metrics.conflicts.inc();
        this.deps.logger.warn(
          { attempt, trades: trades.length, reason, err: err instanceof Error ? err.message : String(err) },
          reason === 'conflict'
            ? 'another writer recorded part of this batch first; re-reading and judging the rest again'
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
