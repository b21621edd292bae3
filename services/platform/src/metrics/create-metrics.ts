import type { RequestHandler } from 'express';
import {
  collectDefaultMetrics,
  Counter,
  type CounterConfiguration,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  Registry,
} from 'prom-client';
import type { BusObserver } from '../bus/observer';
import type { BreakerObserver, BreakerObserverRegistry } from '../resilience/observer';
import type { StoreObserver } from '../store/observer';
import { createBreakerMetrics } from './breaker-metrics';
import { createBusMetrics } from './bus-metrics';
import { createHttpMetricsMiddleware } from './http-middleware';
import { createStoreMetrics } from './store-metrics';

export interface MetricsOptions {
  /** Added as the `service` label to every series of the registry. */
  service: string;
  /** Collect prom-client's process metrics (CPU, memory, event loop, GC); default true. */
  collectDefaultMetrics?: boolean;
}

/** A service's own metric definition; the registry is supplied by `Metrics`. */
export type CounterOptions<L extends string> = Omit<CounterConfiguration<L>, 'registers'>;
export type GaugeOptions<L extends string> = Omit<GaugeConfiguration<L>, 'registers'>;
export type HistogramOptions<L extends string> = Omit<HistogramConfiguration<L>, 'registers'>;

/** Everything a service needs for Prometheus: its registry and the ready-made instruments. */
export interface Metrics extends BreakerObserverRegistry {
  /** This service's registry; `/metrics` renders it. */
  readonly registry: Registry;
  /** RED metrics per request, labelled by route template. */
  readonly httpMiddleware: RequestHandler;
  /** Bus counters and consumer lag; hand it to the bus adapter. */
  readonly busObserver: BusObserver;
  /** DynamoDB call latency and item writes; hand it to `createDynamoClients`. */
  readonly storeObserver: StoreObserver;
  /** Observer for the circuit breaker called `name` (see `createBreaker`). */
  registerBreaker(name: string): BreakerObserver;
  /** A counter in this registry; the same one again when `name` is already registered. */
  counter<L extends string = string>(options: CounterOptions<L>): Counter<L>;
  /** A gauge in this registry; the same one again when `name` is already registered. */
  gauge<L extends string = string>(options: GaugeOptions<L>): Gauge<L>;
  /** A histogram in this registry; the same one again when `name` is already registered. */
  histogram<L extends string = string>(options: HistogramOptions<L>): Histogram<L>;
}

/** Creates a service's registry (own, not prom-client's global one) and its standard instruments. */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.collectDefaultMetrics !== false) collectDefaultMetrics({ register: registry });

  const breakers = createBreakerMetrics(registry);

  // Re-registering a name would throw in prom-client; a module that re-initialises gets the same instrument.
  function reuse<M>(name: string, kind: abstract new (...args: never[]) => M, create: () => M): M {
    const existing = registry.getSingleMetric(name);
    if (existing === undefined) return create();
    if (existing instanceof kind) return existing;
    throw new Error(`Metric "${name}" is already registered with another type.`);
  }

  return {
    registry,
    httpMiddleware: createHttpMetricsMiddleware(registry),
    busObserver: createBusMetrics(registry),
    storeObserver: createStoreMetrics(registry),
    registerBreaker: (name) => breakers.registerBreaker(name),
    counter: <L extends string>(o: CounterOptions<L>) =>
      reuse(o.name, Counter<L>, () => new Counter<L>({ ...o, registers: [registry] })),
    gauge: <L extends string>(o: GaugeOptions<L>) =>
      reuse(o.name, Gauge<L>, () => new Gauge<L>({ ...o, registers: [registry] })),
    histogram: <L extends string>(o: HistogramOptions<L>) =>
      reuse(o.name, Histogram<L>, () => new Histogram<L>({ ...o, registers: [registry] })),
  };
}
