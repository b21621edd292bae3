import type { RequestHandler } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';
import { routeTemplate, trackRouteTemplate, UNMATCHED_ROUTE } from '../http/route-template';

/** Buckets in seconds, from a fast cache hit to a slow batch upload. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Status recorded when the client went away before the response was finished (nginx's convention). */
const CLIENT_CLOSED_REQUEST = 499;

/**
 * RED metrics for every request: `http_requests_total` and `http_request_duration_seconds`, labelled
 * with method, route template (`unmatched` when no route matched) and status code.
 */
export function createHttpMetricsMiddleware(registry: Registry): RequestHandler {
  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests handled, by method, route template and status code.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to finishing its response, in seconds.',
    labelNames,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });

  return (req, res, next) => {
    trackRouteTemplate(req);
    const started = process.hrtime.bigint();
    // 'close' fires after 'finish' and also when the client aborts, so every request is counted once.
    res.once('close', () => {
      const labels = {
        method: req.method,
        route: routeTemplate(req) ?? UNMATCHED_ROUTE,
        status_code: String(res.writableFinished ? res.statusCode : CLIENT_CLOSED_REQUEST),
      };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
