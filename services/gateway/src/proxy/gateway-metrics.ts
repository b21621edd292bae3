/** The gateway's RED metrics per route and consumer, and its retry counters (breaker state is the platform's). */
import type { Metrics } from '@tradeflow/platform/metrics';

/** Buckets in seconds: from a cached read to a long upload. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The consumer label of requests whose caller is not known (refused before or at authentication). */
export const ANONYMOUS_CONSUMER = 'anonymous';

/** The labels of one proxied request. */
export interface RequestLabels {
  route: string;
  consumer: string;
  method: string;
  status: number;
}

/** What the proxy records. */
export interface GatewayMetrics {
  /** One request through a route, finished (or abandoned by the client: status 499) after `seconds`. */
  requestFinished(labels: RequestLabels, seconds: number): void;
  /** A retry was sent to `upstream`, or refused because its retry budget was spent. */
  retry(upstream: string, result: 'sent' | 'budget_exhausted'): void;
}

/** The gateway's instruments in the process registry. */
export function createGatewayMetrics(metrics: Metrics): GatewayMetrics {
  const duration = metrics.histogram({
    name: 'gateway_request_duration_seconds',
    help: 'Requests through the gateway by route, consumer, method and status, from arrival to the end of the answer.',
    labelNames: ['route', 'consumer', 'method', 'status'] as const,
    buckets: DURATION_BUCKETS,
  });
  const retries = metrics.counter({
    name: 'gateway_upstream_retries_total',
    help: 'Retries to each upstream: sent, or refused because the retry budget was spent.',
    labelNames: ['upstream', 'result'] as const,
  });
  return {
    requestFinished: ({ route, consumer, method, status }, seconds) =>
      duration.observe({ route, consumer, method, status: String(status) }, seconds),
    retry: (upstream, result) => retries.inc({ upstream, result }),
  };
}
