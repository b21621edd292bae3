/**
 * Soak: a moderate constant arrival rate for a long time, to surface what only time shows: memory growth,
 * consumer lag creeping up, DynamoDB tables or Kafka logs growing slower to read, connection leaks. Watch
 * the Grafana dashboard (RSS, lag, p99) while it runs; the thresholds are the load test's.
 *   k6 run -e API_KEY=... -e RATE=30 -e DURATION=1h tests/load/soak.ts
 * Knobs: RATE (trades/s, default 30), DURATION (default 1h), MAX_VUS (default 100), and those of k6/env.ts.
 */
import { steadyArrivalOptions } from './k6/scenario.ts';
import { lanesFor, setupRun, tradeIteration, type RunData } from './k6/trade-traffic.ts';

export const options = steadyArrivalOptions('soak', { rate: 30, duration: '1h' });

export function setup(): RunData {
  return setupRun(lanesFor(options));
}

export default function soak(data: RunData): void {
  tradeIteration(data, { readShare: 0.1 });
}
