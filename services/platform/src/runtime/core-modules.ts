/**
 * The modules every process shares, whatever services it runs: metrics, the bus and the store.
 * In the all-in-one shape the services share one of each; in the distributed shape each process
 * has its own. Service modules name these in their `deps` by the constants below.
 */
import type { Bus } from '../bus';
import { createBus } from '../bus';
import type { BusEnv, StoreConfig } from '../config';
import type { ModuleDefinition } from '../lifecycle';
import { createMetrics, type Metrics } from '../metrics';
import { createDynamoClients, pingStore, type DynamoClients } from '../store';
import { backoffDelay, sleep } from '../backoff';
import { TRACING_MODULE } from './tracing-module';

/** Names of the core modules, for `deps` and `ctx.get` (runMain adds tracing to every process). */
export const CoreModule = {
  metrics: 'metrics',
  bus: 'bus',
  store: 'store',
  tracing: TRACING_MODULE,
} as const;

/** The process's Prometheus registry and standard instruments (one per process). */
export function metricsModule(service: string): ModuleDefinition<Metrics> {
  return {
    name: CoreModule.metrics,
    deps: [],
    init: () => ({ value: createMetrics({ service }) }),
  };
}

/**
 * The bus adapter named by config; connects on start, closes (letting handlers finish) on stop, and fails the
 * process when a subscription can no longer be served (`Bus.failed`) rather than let it run on without it.
 */
export function busModule(config: BusEnv, source: string): ModuleDefinition<Bus> {
  return {
    name: CoreModule.bus,
    deps: [CoreModule.metrics],
    init: async (ctx) => {
      const metrics = ctx.get<Metrics>(CoreModule.metrics);
      const bus = await createBus(
        config.adapter === 'kafka'
          ? {
              adapter: 'kafka',
              brokers: config.brokers,
              clientId: config.clientId,
              defaultPartitions: config.topicPartitions,
              ...(config.namespace === undefined ? {} : { namespace: config.namespace }),
              source,
            }
          : { adapter: 'memory', defaultPartitions: config.topicPartitions, source },
        { logger: ctx.logger.child({ component: 'bus' }), observer: metrics.busObserver },
      );
      return { value: bus, start: () => bus.init(), stop: () => bus.close(), failed: bus.failed };
    },
  };
}

/** How long the store module waits for DynamoDB to answer at start before the process gives up. */
const STORE_START_DEADLINE_MS = 60_000;

/**
 * The DynamoDB clients, every call observed by the metrics module (latency, item writes); start waits until
 * DynamoDB answers, stop releases the sockets.
 */
export function storeModule(config: StoreConfig): ModuleDefinition<DynamoClients> {
  return {
    name: CoreModule.store,
    deps: [CoreModule.metrics],
    init: (ctx) => {
      const clients = createDynamoClients({
        ...config,
        observer: ctx.get<Metrics>(CoreModule.metrics).storeObserver,
      });
      return {
        value: clients,
        start: async () => {
          const deadline = Date.now() + STORE_START_DEADLINE_MS;
          for (let attempt = 1; ; attempt++) {
            try {
              await pingStore(clients.client);
              return;
            } catch (err) {
              if (Date.now() > deadline) throw err;
              ctx.logger.warn({ err, attempt }, 'DynamoDB is not answering yet; retrying');
              await sleep(backoffDelay(attempt, { baseMs: 250, maxMs: 5_000 }));
            }
          }
        },
        stop: () => {
          clients.client.destroy();
          return Promise.resolve();
        },
      };
    },
  };
}
