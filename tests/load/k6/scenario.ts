/**
 * The options an entry script exports: its one named scenario, judged by an SLO, with the percentiles the
 * SLOs name in the end-of-test summary. Load and soak are the same steady run at different rates and lengths.
 */
import type { Options, Scenario, Threshold } from 'k6/options';
import { numberEnv, textEnv } from './env.ts';
import { SUMMARY_TREND_STATS, thresholds, type Slo } from './slo.ts';

/** The options of `scenario` under `name`, failing the run when `slo` (or an `extra` threshold) is missed. */
export function scenarioOptions(
  name: string,
  scenario: Scenario,
  slo: Slo,
  extra?: Record<string, Threshold[]>,
): Options {
  return {
    scenarios: { [name]: scenario },
    thresholds: thresholds(slo, extra),
    summaryTrendStats: SUMMARY_TREND_STATS,
  };
}

/** The service's SLOs under steady traffic. */
export const STEADY_SLO: Slo = { failedRate: 0.01, submitP95Ms: 150, submitP99Ms: 250, checkRate: 0.99 };

/**
 * A steady open model under `name`: RATE trades/s (new trades arrive whether or not earlier ones were
 * answered, as clients do) for DURATION, defaults given, with up to MAX_VUS VUs (default 100), judged by
 * STEADY_SLO.
 */
export function steadyArrivalOptions(name: string, defaults: { rate: number; duration: string }): Options {
  const maxVUs = numberEnv('MAX_VUS', 100);
  return scenarioOptions(
    name,
    {
      executor: 'constant-arrival-rate',
      rate: numberEnv('RATE', defaults.rate),
      timeUnit: '1s',
      duration: textEnv('DURATION', defaults.duration),
      preAllocatedVUs: Math.min(20, maxVUs),
      maxVUs,
    },
    STEADY_SLO,
    // Iterations k6 could not start on time: the system (or the VU pool) fell behind the arrival rate.
    { dropped_iterations: ['count<10'] },
  );
}
