/**
 * Load: a constant arrival rate of trade submissions (an open model: new trades arrive whether or not
 * earlier ones were answered, as clients do), a tenth of them read back once. The SLOs are the service's:
 *   k6 run -e API_KEY=... -e RATE=50 -e DURATION=5m tests/load/load.ts
 * Knobs: RATE (trades/s, default 50), DURATION (default 5m), MAX_VUS (default 100), and those of k6/env.ts.
 */
import type { Options } from 'k6/options';
import { numberEnv, textEnv } from './k6/env.ts';
import { SUMMARY_TREND_STATS, thresholds } from './k6/slo.ts';
import { lanesFor, setupRun, tradeIteration, type RunData } from './k6/trade-traffic.ts';

const maxVUs = numberEnv('MAX_VUS', 100);

export const options: Options = {
  scenarios: {
    load: {
      executor: 'constant-arrival-rate',
      rate: numberEnv('RATE', 50),
      timeUnit: '1s',
      duration: textEnv('DURATION', '5m'),
      preAllocatedVUs: Math.min(20, maxVUs),
      maxVUs,
    },
  },
  thresholds: thresholds(
    { failedRate: 0.01, submitP95Ms: 150, submitP99Ms: 250, checkRate: 0.99 },
    // Iterations k6 could not start on time: the system (or the VU pool) fell behind the arrival rate.
    { dropped_iterations: ['count<10'] },
  ),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup(): RunData {
  return setupRun(lanesFor(options));
}

export default function load(data: RunData): void {
  tradeIteration(data, { readShare: 0.1 });
}
