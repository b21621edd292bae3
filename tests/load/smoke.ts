/**
 * Smoke: one VU sends a short mix (every rejection kind included) and follows each trade to its final
 * status, checking status and failed rules against the plan. Run it first, and after every deploy:
 *   k6 run -e API_KEY=... tests/load/smoke.ts
 * Knobs: ITERATIONS (default 60), and those of k6/env.ts.
 */
import { numberEnv } from './k6/env.ts';
import { scenarioOptions } from './k6/scenario.ts';
import { lanesFor, setupRun, tradeIteration, type RunData } from './k6/trade-traffic.ts';

export const options = scenarioOptions(
  'smoke',
  { executor: 'shared-iterations', vus: 1, iterations: numberEnv('ITERATIONS', 60), maxDuration: '3m' },
  { failedRate: 0.001, submitP95Ms: 300, submitP99Ms: 500, checkRate: 0.999 },
  // Submit to final status (validated or rejected), the whole pipeline.
  { trade_final_ms: ['p(95)<1000'] },
);

export function setup(): RunData {
  return setupRun(lanesFor(options));
}

export default function smoke(data: RunData): void {
  tradeIteration(data, { followToFinal: true });
}
