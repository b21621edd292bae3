/**
 * The validation service as modules: its reference cache, its tables, the stream processor and the HTTP
 * entry point, plus `validation`, the target that runs all of them (`--target=validation`). The core modules
 * (metrics, bus, store) are the composition root's; these name them in their `deps`.
 */
import { resolve } from 'node:path';
import { Topics } from '@tradeflow/contracts';
import type { Bus, SubscriptionHandle } from '@tradeflow/platform/bus';
import type { LifecycleConfig, StoreConfig } from '@tradeflow/platform/config';
import type { ModuleDefinition } from '@tradeflow/platform/lifecycle';
import type { Metrics } from '@tradeflow/platform/metrics';
import { CoreModule, httpModule } from '@tradeflow/platform/runtime';
import { ensureTables, withTablePrefix, type DynamoClients } from '@tradeflow/platform/store';
import { referenceCacheModule, type ReferenceCache } from '@tradeflow/reference-data/cache';
import type { ValidationConfig } from './config';
import { createValidationMetrics } from './events/validation-metrics';
import { TradeProcessor } from './events/trade-processor';
import { validationRoutes } from './http/routes';
import { VALIDATION_TABLES, ValidationStore } from './store';

/** The names of validation's modules, for `deps`, `--target` and `ModuleManager.get`. */
export const ValidationModule = {
  /** Runs everything below: the `--target` of the service. */
  service: 'validation',
  referenceCache: 'validation-reference-cache',
  store: 'validation-store',
  processor: 'validation-processor',
  http: 'validation-http',
} as const;

/** The consumer group of the processor on `trades.submitted`. */
export const VALIDATION_GROUP = 'validation';

/** How long start waits for the tables to exist and be ACTIVE. */
const TABLES_TIMEOUT_MS = 30_000;

/** The service's API contract, served at `/openapi.json` (next to `src/` and `dist/`, shipped in `files`). */
const OPENAPI_FILE = resolve(__dirname, '../openapi.yaml');

/** What validation reads of the process's config: its own fragment plus the shared store and lifecycle ones. */
export interface ValidationModulesConfig {
  validation: ValidationConfig;
  store: StoreConfig;
  lifecycle: LifecycleConfig;
}

/** Test seams; production passes none. */
export interface ValidationModulesOptions {
  /** Validation time (default the wall clock). */
  clock?: () => Date;
  /** Consumer group on the submitted topic (default `validation`). */
  group?: string;
  /** Topic names (default `trades.submitted` and `trades.outcomes`), so tests on a shared broker do not collide. */
  topics?: { submitted?: string; outcomes?: string };
}

/** The validation service's modules. */
export function validationModules(
  config: ValidationModulesConfig,
  options: ValidationModulesOptions = {},
): ModuleDefinition[] {
  const { validation } = config;
  const group = options.group ?? VALIDATION_GROUP;
  const submittedTopic = options.topics?.submitted ?? Topics.tradesSubmitted;
  const outcomesTopic = options.topics?.outcomes ?? Topics.tradeOutcomes;
  const tables = withTablePrefix(VALIDATION_TABLES, config.store.tablePrefix);

  const storeDefinition: ModuleDefinition<ValidationStore> = {
    name: ValidationModule.store,
    deps: [CoreModule.store],
    init: (ctx) => {
      const clients = ctx.get<DynamoClients>(CoreModule.store);
      return {
        value: new ValidationStore(clients.doc, tables, {
          duplicateWindowMs: validation.settings.duplicateWindowMs,
          recordRetentionMs: validation.recordRetentionMs,
        }),
        start: () =>
          ensureTables(clients.client, Object.values(tables), {
            timeoutMs: TABLES_TIMEOUT_MS,
            logger: ctx.logger,
          }),
      };
    },
  };

  const processorDefinition: ModuleDefinition<TradeProcessor> = {
    name: ValidationModule.processor,
    deps: [CoreModule.bus, CoreModule.metrics, ValidationModule.store, ValidationModule.referenceCache],
    init: (ctx) => {
      const bus = ctx.get<Bus>(CoreModule.bus);
      const logger = ctx.logger.child({ component: 'validation-processor' });
      const processor = new TradeProcessor({
        bus,
        store: ctx.get<ValidationStore>(ValidationModule.store),
        reference: ctx.get<ReferenceCache>(ValidationModule.referenceCache),
        settings: validation.settings,
        metrics: createValidationMetrics(ctx.get<Metrics>(CoreModule.metrics)),
        logger,
        clock: options.clock,
        outcomesTopic,
      });
      let subscription: SubscriptionHandle | undefined;
      return {
        value: processor,
        start: async () => {
          await bus.ensureTopics([{ name: submittedTopic }, { name: outcomesTopic }]);
          subscription = await bus.subscribe({
            group,
            topics: [submittedTopic],
            maxBatchSize: validation.processor.batchSize,
            concurrency: validation.processor.concurrency,
            retry: {
              maxAttempts: validation.processor.maxAttempts,
              backoff: { baseMs: validation.processor.retryBackoffMs, maxMs: 10_000 },
            },
            batchHandler: (messages) => processor.handleBatch(messages),
          });
          logger.info({ group, topic: submittedTopic }, 'validation processor subscribed');
        },
        stop: async () => {
          await subscription?.close();
        },
      };
    },
  };

  return [
    referenceCacheModule(ValidationModule.referenceCache, {
      catchUpDeadlineMs: validation.referenceCatchUpTimeoutMs,
    }),
    storeDefinition,
    processorDefinition,
    httpModule({
      name: ValidationModule.http,
      service: 'validation',
      deps: [ValidationModule.processor],
      http: validation.http,
      shutdownTimeoutMs: config.lifecycle.shutdownTimeoutMs,
      openapi: OPENAPI_FILE,
      routes: () => validationRoutes(validation.settings),
    }),
    {
      name: ValidationModule.service,
      deps: [ValidationModule.processor, ValidationModule.http],
      init: () => ({}),
    },
  ];
}
