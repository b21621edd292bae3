/**
 * Smoke: one VU sends a short mix (every rejection kind included) and follows each trade to its final
 * status, checking status and failed rules against the plan. Run it first, and after every deploy:
 *   k6 run -e API_KEY=... tests/load/smoke.ts
 * Knobs: ITERATIONS (default 60), and those of k6/env.ts.
 */
import type { Options } from 'k6/options';
import { numberEnv } from './k6/env.ts';
import { SUMMARY_TREND_STATS, thresholds } from './k6/slo.ts';
import { lanesFor, setupRun, tradeIteration, type RunData } from './k6/trade-traffic.ts';

export const options: Options = {
  scenarios: {
    smoke: {
      executor: 'shared-iterations',
      vus: 1,
      iterations: numberEnv('ITERATIONS', 60),
      maxDuration: '3m',
    },
  },
  thresholds: thresholds(
    { failedRate: 0.001, submitP95Ms: 300, submitP99Ms: 500, checkRate: 0.999 },
    // Submit to final status (validated or rejected), the whole pipeline.
    { trade_final_ms: ['p(95)<1000'] },
  ),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup(): RunData {
  return setupRun(lanesFor(options));
}

export default function smoke(data: RunData): void {
  tradeIteration(data, { followToFinal: true });
}
