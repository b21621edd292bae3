import type { Counter, Histogram } from 'prom-client';
import type { Metrics } from '@tradeflow/platform/metrics';
import { RULES } from '../domain';

/** The processor's instruments. */
export interface ValidationMetrics {
  /** Trade versions judged (not republished), by outcome. */
  readonly validations: Counter<'outcome'>;
  /** Failed rules of judged trades, by rule id. */
  readonly ruleFailures: Counter<'rule'>;
  /** Time from receiving a batch to having published its outcomes. */
  readonly batchSeconds: Histogram;
  /** Outcomes found already recorded and republished as they were (redelivery, rebalance). */
  readonly reused: Counter;
  /** Transactions that lost a race (another instance recorded first) and were recomputed. */
  readonly conflicts: Counter;
  /** Cancellations applied, by what they did (see `CancellationResult`). */
  readonly cancellations: Counter<'result'>;
}

/** Registers the validation instruments in the service's registry, every label value at zero. */
export function createValidationMetrics(metrics: Metrics): ValidationMetrics {
  const validations = metrics.counter({
    name: 'validations_total',
    help: 'Trade versions validated, by outcome (VALIDATED or REJECTED); redeliveries are not counted again.',
    labelNames: ['outcome'],
  });
  const ruleFailures = metrics.counter({
    name: 'validation_rule_failures_total',
    help: 'Rule failures of rejected trades, by rule id.',
    labelNames: ['rule'],
  });
  // Zero series exist from the start, so rate() and dashboards work before the first failure.
  for (const outcome of ['VALIDATED', 'REJECTED']) validations.labels(outcome).inc(0);
  for (const rule of RULES) ruleFailures.labels(rule.id).inc(0);
  const cancellations = metrics.counter({
    name: 'validation_cancellations_total',
    help: 'Cancellations of trade versions, by result: released (its amount left the daily total), already_released (redelivered), nothing_counted (rejected), unknown (no record of the version).',
    labelNames: ['result'],
  });
  for (const result of ['released', 'already_released', 'nothing_counted', 'unknown'])
    cancellations.labels(result).inc(0);
  return {
    validations,
    ruleFailures,
    batchSeconds: metrics.histogram({
      name: 'validation_batch_duration_seconds',
      help: 'Time to process one batch of submitted trades: read state, judge, record, publish outcomes.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    reused: metrics.counter({
      name: 'validation_outcomes_reused_total',
      help: 'Outcomes already recorded for a redelivered trade, republished without judging again.',
    }),
    conflicts: metrics.counter({
      name: 'validation_write_conflicts_total',
      help: 'Batches recomputed because another instance recorded some of their trades or totals first.',
    }),
    cancellations,
  };
}
