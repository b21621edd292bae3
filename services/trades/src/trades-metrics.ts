/** The trades service's own Prometheus instruments. */
import type { Metrics } from '@tradeflow/platform/metrics';
import type { Counter } from 'prom-client';

export interface TradesMetrics {
  /** Trades accepted or rejected at intake, by channel (`single`, `batch`, `bulk`) and result. */
  intake: Counter<'channel' | 'result'>;
  /** Lines of bulk uploads processed, by result (`accepted`, `rejected`). */
  bulkLines: Counter<'result'>;
  /** Validation outcomes applied to a trade, or ignored (redelivered, superseded, unknown trade). */
  statusUpdates: Counter<'result'>;
}

/** Registers (or reuses) the instruments in the process's registry. */
export function createTradesMetrics(metrics: Metrics): TradesMetrics {
  return {
    intake: metrics.counter({
      name: 'trades_intake_total',
      help: 'Trades accepted or rejected at intake, by channel.',
      labelNames: ['channel', 'result'],
    }),
    bulkLines: metrics.counter({
      name: 'trades_bulk_lines_total',
      help: 'Lines of bulk uploads processed, by result.',
      labelNames: ['result'],
    }),
    statusUpdates: metrics.counter({
      name: 'trades_status_updates_total',
      help: 'Validation outcomes applied to a trade status or ignored as stale.',
      labelNames: ['result'],
    }),
  };
}
