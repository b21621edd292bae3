/**
 * Applies validation outcomes (`trades.outcomes`, group `trades-status`) to trade statuses. Each outcome is
 * a conditional update on the trade's version and status, so a redelivered outcome, an outcome of a version
 * that has since been amended, or one of a cancelled trade changes nothing: statuses never regress. A batch
 * goes to the store as TransactWriteItems of up to 100 outcomes (one call instead of one per trade), the
 * outcomes whose condition failed named by the cancellation reasons and left out.
 */
import { TradeOutcome } from '@tradeflow/contracts';
import { setMessageAttributes, type BusMessage } from '@tradeflow/platform/bus';
import { ValidationError } from '@tradeflow/platform/errors';
import { toFieldIssues } from '@tradeflow/platform/http';
import { outcomeAttributes } from '@tradeflow/platform/trace';
import { forEachLimit } from '../concurrency';
import { MAX_TRANSACTION_ITEMS, type TradeRepository } from '../store';
import type { TradesMetrics } from '../trades-metrics';

/** Structural logger (pino fits). */
export interface ConsumerLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface OutcomeConsumerDeps {
  trades: TradeRepository;
  metrics: TradesMetrics;
  logger: ConsumerLogger;
  /** Transactions of outcomes in flight at once. */
  concurrency: number;
  clock?: () => Date;
}

/** The batch handler of the status subscription. */
export class OutcomeConsumer {
  private readonly clock: () => Date;

  constructor(private readonly deps: OutcomeConsumerDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * Applies every outcome of the batch. A malformed outcome fails the batch before anything is written (the
   * bus then retries its messages one by one and dead-letters the bad one); so does a store failure, and the
   * retry is harmless because every update is conditional. Of several outcomes of one trade in a batch only
   * the newest version can hold (the trade is at that version or later), so only that one is sent.
   */
  async handleBatch(messages: readonly BusMessage[]): Promise<void> {
    const outcomes = messages.map((message) => {
      const outcome = parseOutcome(message);
      setMessageAttributes(message, outcomeAttributes(outcome));
      return outcome;
    });
    const newest = new Map<string, TradeOutcome>();
    for (const outcome of outcomes) {
      const seen = newest.get(outcome.tradeId);
      if (seen === undefined || outcome.version >= seen.version) newest.set(outcome.tradeId, outcome);
    }
    const candidates = [...newest.values()];
    const chunks: TradeOutcome[][] = [];
    for (let i = 0; i < candidates.length; i += MAX_TRANSACTION_ITEMS)
      chunks.push(candidates.slice(i, i + MAX_TRANSACTION_ITEMS));
    const now = this.clock().toISOString();
    const applied = new Set<TradeOutcome>();
    await forEachLimit(chunks, this.deps.concurrency, async (chunk) => {
      const results = await this.deps.trades.applyOutcomes(chunk, now);
      chunk.forEach((outcome, i) => {
        if (results[i] === true) applied.add(outcome);
      });
    });
    for (const outcome of outcomes) {
      // A duplicate of an applied outcome in the same batch counts as ignored, like a redelivery.
      const wasApplied = applied.delete(outcome);
      this.deps.metrics.statusUpdates.inc({ result: wasApplied ? 'applied' : 'ignored' });
      if (!wasApplied)
        this.deps.logger.debug(
          { tradeId: outcome.tradeId, version: outcome.version, status: outcome.status },
          'outcome ignored: redelivered, superseded or of an unknown trade',
        );
    }
  }
}

function parseOutcome(message: BusMessage): TradeOutcome {
  const parsed = TradeOutcome.safeParse(message.data);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    toFieldIssues(parsed.error.issues),
    `Message ${message.id} on ${message.topic} (partition ${message.partition}, offset ${message.offset}) is not a trade outcome.`,
    'TRADES.MALFORMED_OUTCOME',
  );
}
