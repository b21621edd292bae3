/**
 * Applies validation outcomes (`trades.outcomes`, group `trades-status`) to trade statuses. Each outcome is
 * a conditional update on the trade's version and status, so a redelivered outcome, an outcome of a version
 * that has since been amended, or one of a cancelled trade changes nothing: statuses never regress.
 */
import { TradeOutcome } from '@tradeflow/contracts';
import { setMessageAttributes, withMessageTrace, type BusMessage } from '@tradeflow/platform/bus';
import { ValidationError } from '@tradeflow/platform/errors';
import { toFieldIssues } from '@tradeflow/platform/http';
import { outcomeAttributes } from '@tradeflow/platform/trace';
import { forEachLimit } from '../concurrency';
import type { TradeRepository } from '../store';
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
  /** Conditional updates in flight at once. */
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
   * Applies every outcome of the batch with bounded parallelism. A malformed outcome fails the batch (the
   * bus then retries its messages one by one and dead-letters the bad one); so does a store failure, and
   * the retry is harmless because every update is conditional.
   */
  async handleBatch(messages: readonly BusMessage[]): Promise<void> {
    const outcomes = messages.map((message) => ({ message, outcome: parseOutcome(message) }));
    const now = this.clock().toISOString();
    await forEachLimit(outcomes, this.deps.concurrency, ({ message, outcome }) =>
      // In the trade's own trace (the message's span), even when the outcome came in a batch.
      withMessageTrace(message, async () => {
        setMessageAttributes(message, outcomeAttributes(outcome));
        const applied = await this.deps.trades.applyOutcome(outcome, now);
        this.deps.metrics.statusUpdates.inc({ result: applied ? 'applied' : 'ignored' });
        if (!applied)
          this.deps.logger.debug(
            { tradeId: outcome.tradeId, version: outcome.version, status: outcome.status },
            'outcome ignored: redelivered, superseded or of an unknown trade',
          );
      }),
    );
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
