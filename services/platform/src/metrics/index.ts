/** Prometheus metrics: a registry per service, HTTP RED middleware, bus and circuit breaker instruments. */
export {
  createMetrics,
  type CounterOptions,
  type GaugeOptions,
  type HistogramOptions,
  type Metrics,
  type MetricsOptions,
} from './create-metrics';
export { createHttpMetricsMiddleware } from './http-middleware';
export { createBusMetrics } from './bus-metrics';
export { createStoreMetrics } from './store-metrics';
export { BREAKER_STATE_VALUE, createBreakerMetrics } from './breaker-metrics';
export { UNMATCHED_ROUTE } from '../http/route-template';
