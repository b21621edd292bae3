/**
 * Load: a constant arrival rate of trade submissions (an open model: new trades arrive whether or not
 * earlier ones were answered, as clients do), a tenth of them read back once. The SLOs are the service's:
 *   k6 run -e API_KEY=... -e RATE=50 -e DURATION=5m tests/load/load.ts
 * Knobs: RATE (trades/s, default 50), DURATION (default 5m), MAX_VUS (default 100), and those of k6/env.ts.
 */
import { steadyArrivalOptions } from './k6/scenario.ts';
import { lanesFor, setupRun, tradeIteration, type RunData } from './k6/trade-traffic.ts';

export const options = steadyArrivalOptions('load', { rate: 50, duration: '5m' });

export function setup(): RunData {
  return setupRun(lanesFor(options));
}

export default function load(data: RunData): void {
  tradeIteration(data, { readShare: 0.1 });
}
