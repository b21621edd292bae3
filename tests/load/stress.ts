/**
 * Stress: the arrival rate ramps in steps well past the expected capacity, to find where latency and
 * errors break the SLOs and to see the system degrade (429s and 503s with Retry-After, not timeouts or 5xx
 * storms). The run aborts once failures pass 5% for 30 s.
 *   k6 run -e API_KEY=... -e PEAK_RATE=400 tests/load/stress.ts
 * Knobs: PEAK_RATE (trades/s, default 400), STEP (duration of each step, default 1m), MAX_VUS (default 400).
 */
import { numberEnv, textEnv } from './k6/env.ts';
import { scenarioOptions } from './k6/scenario.ts';
import { lanesFor, setupRun, tradeIteration, type RunData } from './k6/trade-traffic.ts';

const peak = numberEnv('PEAK_RATE', 400);
const step = textEnv('STEP', '1m');
const maxVUs = numberEnv('MAX_VUS', 400);

export const options = scenarioOptions(
  'stress',
  {
    executor: 'ramping-arrival-rate',
    startRate: Math.max(1, Math.round(peak * 0.1)),
    timeUnit: '1s',
    preAllocatedVUs: Math.min(50, maxVUs),
    maxVUs,
    // Ramp to each level, hold it, then go back down to see recovery.
    stages: [0.25, 0.5, 0.75, 1]
      .flatMap((share) => [
        { target: Math.round(peak * share), duration: '30s' },
        { target: Math.round(peak * share), duration: step },
      ])
      .concat([{ target: Math.max(1, Math.round(peak * 0.1)), duration: '30s' }]),
  },
  { failedRate: 0.05, submitP95Ms: 500, submitP99Ms: 1000, checkRate: 0.95, abortOnFail: true },
);

export function setup(): RunData {
  return setupRun(lanesFor(options));
}

export default function stress(data: RunData): void {
  tradeIteration(data);
}
