/**
 * Spike: a steady base rate jumps tenfold within seconds, holds, and drops back. The system should absorb
 * or shed the spike (429 with Retry-After from the gateway's rate limit counts as shedding, not failure) and
 * return to base latency once it is over.
 *   k6 run -e API_KEY=... -e BASE_RATE=20 tests/load/spike.ts
 * Knobs: BASE_RATE (trades/s, default 20), SPIKE_FACTOR (default 10), HOLD (default 1m), MAX_VUS (default 400).
 */
import exec from 'k6/execution';
import { durationMs, numberEnv, textEnv } from './k6/env.ts';
import { scenarioOptions } from './k6/scenario.ts';
import { lanesFor, setupRun, tradeIteration, type RunData } from './k6/trade-traffic.ts';

const base = numberEnv('BASE_RATE', 20);
const spike = Math.round(base * numberEnv('SPIKE_FACTOR', 10));
const hold = textEnv('HOLD', '1m');
const maxVUs = numberEnv('MAX_VUS', 400);
/** When the recovery stage begins, from the scenario's start: base, ramp up, hold, ramp down. */
const recoveryAfterMs = 60_000 + 10_000 + durationMs(hold) + 10_000;

export const options = scenarioOptions(
  'spike',
  {
    executor: 'ramping-arrival-rate',
    startRate: base,
    timeUnit: '1s',
    preAllocatedVUs: Math.min(50, maxVUs),
    maxVUs,
    stages: [
      { target: base, duration: '1m' },
      { target: spike, duration: '10s' },
      { target: spike, duration: hold },
      { target: base, duration: '10s' },
      { target: base, duration: '1m' },
    ],
  },
  { failedRate: 0.05, submitP95Ms: 1000, submitP99Ms: 2000, checkRate: 0.9, abortOnFail: true },
  // After the spike the base rate must be served at base latency again (the last stage's requests are
  // tagged stage=recovery below).
  { 'http_req_duration{name:POST /v1/trades,stage:recovery}': ['p(95)<250'] },
);

export function setup(): RunData {
  return setupRun(lanesFor(options));
}

export default function spikeIteration(data: RunData): void {
  // Tags the requests of the last stage, which the recovery threshold selects.
  const stage = Date.now() - exec.scenario.startTime >= recoveryAfterMs ? 'recovery' : 'spike';
  exec.vu.metrics.tags.stage = stage;
  tradeIteration(data, { shedOk: true });
}
