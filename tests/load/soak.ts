/**
 * Soak: a moderate constant arrival rate for a long time, to surface what only time shows: memory growth,
 * consumer lag creeping up, DynamoDB tables or Kafka logs growing slower to read, connection leaks. Watch
 * the Grafana dashboard (RSS, lag, p99) while it runs; the thresholds are the load test's.
 *   k6 run -e API_KEY=... -e RATE=30 -e DURATION=1h tests/load/soak.ts
 * Knobs: RATE (trades/s, default 30), DURATION (default 1h), MAX_VUS (default 100), and those of k6/env.ts.
 */
import type { Options } from 'k6/options';
import { numberEnv, textEnv } from './k6/env.ts';
import { SUMMARY_TREND_STATS, thresholds } from './k6/slo.ts';
import { lanesFor, setupRun, tradeIteration, type RunData } from './k6/trade-traffic.ts';

const maxVUs = numberEnv('MAX_VUS', 100);

export const options: Options = {
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate: numberEnv('RATE', 30),
      timeUnit: '1s',
      duration: textEnv('DURATION', '1h'),
      preAllocatedVUs: Math.min(20, maxVUs),
      maxVUs,
    },
  },
  thresholds: thresholds(
    { failedRate: 0.01, submitP95Ms: 150, submitP99Ms: 250, checkRate: 0.99 },
    { dropped_iterations: ['count<10'] },
  ),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup(): RunData {
  return setupRun(lanesFor(options));
}

export default function soak(data: RunData): void {
  tradeIteration(data, { readShare: 0.1 });
}
