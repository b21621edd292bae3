/**
 * Service-level objectives as k6 thresholds: a run fails (k6 exits 99) when the share of failed requests,
 * the p95 or p99 latency of trade submissions, or the share of passed checks misses its objective.
 */
import type { Options, Threshold } from 'k6/options';

/** The request name trade submissions are tagged with (`name` tag), so thresholds can single them out. */
export const SUBMIT = 'POST /v1/trades';
/** The request name status reads are tagged with. */
export const READ = 'GET /v1/trades/{id}';

/** One scenario's objectives. */
export interface Slo {
  /** Largest share of failed requests (`http_req_failed`: network errors and unexpected statuses). */
  failedRate: number;
  /** p95 and p99 of `POST /v1/trades` (202 once Kafka acknowledged the trade), in ms. */
  submitP95Ms: number;
  submitP99Ms: number;
  /** Smallest share of passed checks (answered as planned, final as planned). */
  checkRate: number;
  /** Stop the run early (after `abortGrace`) once failures pass `failedRate`: stress and spike runs. */
  abortOnFail?: boolean;
}

/** The thresholds of an SLO, plus scenario-specific ones. */
export function thresholds(
  slo: Slo,
  extra: Record<string, Threshold[]> = {},
): NonNullable<Options['thresholds']> {
  const failed: Threshold = slo.abortOnFail
    ? { threshold: `rate<${slo.failedRate}`, abortOnFail: true, delayAbortEval: '30s' }
    : `rate<${slo.failedRate}`;
  return {
    http_req_failed: [failed],
    [`http_req_duration{name:${SUBMIT}}`]: [`p(95)<${slo.submitP95Ms}`, `p(99)<${slo.submitP99Ms}`],
    checks: [`rate>${slo.checkRate}`],
    ...extra,
  };
}

/** Trend statistics in the end-of-test summary: the percentiles the SLOs name. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'];
