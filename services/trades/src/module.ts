/**
 * The trades service as modules: its reference cache, its tables, the status consumer and the HTTP entry
 * point, plus `trades`, the target that runs all of them (`--target=trades`). The core modules (metrics,
 * bus, store) are the composition root's; these name them in their `deps`.
 */
import { resolve } from 'node:path';
import { Topics } from '@tradeflow/contracts';
import type { Bus, SubscriptionHandle } from '@tradeflow/platform/bus';
import type { LifecycleConfig, StoreConfig } from '@tradeflow/platform/config';
import type { ModuleDefinition } from '@tradeflow/platform/lifecycle';
import type { Metrics } from '@tradeflow/platform/metrics';
import { CoreModule, httpModule } from '@tradeflow/platform/runtime';
import { ensureTables, withTablePrefix, type DynamoClients } from '@tradeflow/platform/store';
import { referenceCacheModule } from '@tradeflow/reference-data/cache';
import type { TradesConfig } from './config';
import type { InstrumentLookup } from './domain';
import { OutcomeConsumer } from './events/outcome-consumer';
import { IdempotencyGuard } from './http/idempotency';
import { BULK_MEDIA_TYPES, tradesRoutes } from './http/routes';
import { BulkImporter } from './intake/bulk-importer';
import { DEFAULT_SINGLE_GROUPS, TradeIntake } from './intake/trade-intake';
import {
  BulkJobRepository,
  IdempotencyRepository,
  TRADES_TABLES,
  TradeRepository,
  type TradesTables,
} from './store';
import { createTradesMetrics } from './trades-metrics';

/** The names of the trades modules, for `deps`, `--target` and `ModuleManager.get`. */
export const TradesModule = {
  /** Runs everything below: the `--target` of the service. */
  service: 'trades',
  referenceCache: 'trades-reference-cache',
  store: 'trades-store',
  status: 'trades-status',
  http: 'trades-http',
} as const;

/** The consumer group that applies outcomes to trade statuses. */
export const TRADES_STATUS_GROUP = 'trades-status';

/** How long start waits for the tables to exist and be ACTIVE. */
const TABLES_TIMEOUT_MS = 30_000;

/** The service's API contract, served at `/openapi.json` (next to `src/` and `dist/`, shipped in `files`). */
const OPENAPI_FILE = resolve(__dirname, '../openapi.yaml');

/** What the trades modules read of the process's config: their own fragment plus store and lifecycle. */
export interface TradesModulesConfig {
  trades: TradesConfig;
  store: StoreConfig;
  lifecycle: LifecycleConfig;
}

/** The repositories over the service's tables (the value of the `trades-store` module). */
export interface TradesStore {
  tables: TradesTables;
  trades: TradeRepository;
  idempotency: IdempotencyRepository;
  jobs: BulkJobRepository;
}

/** Seams for tests and for composition roots that share a reference cache; production passes none. */
export interface TradesModulesOptions {
  /** The clock of intake and status updates (default the wall clock). */
  clock?: () => Date;
  /** Consumer group on the outcomes topic (default `trades-status`). */
  group?: string;
  /** Topic names (default `trades.submitted` and `trades.outcomes`). */
  topics?: { submitted?: string; outcomes?: string };
  /**
   * Name of a module (already in the process) whose value looks instruments up (a ReferenceCache fits); when
   * omitted the trades modules bring their own reference cache, `trades-reference-cache`.
   */
  referenceCacheModule?: string;
}

/** The trades service's modules. */
export function tradesModules(
  config: TradesModulesConfig,
  options: TradesModulesOptions = {},
): ModuleDefinition[] {
  const { trades: settings } = config;
  const group = options.group ?? TRADES_STATUS_GROUP;
  const submittedTopic = options.topics?.submitted ?? Topics.tradesSubmitted;
  const outcomesTopic = options.topics?.outcomes ?? Topics.tradeOutcomes;
  const referenceModule = options.referenceCacheModule ?? TradesModule.referenceCache;
  const tables = withTablePrefix(TRADES_TABLES, config.store.tablePrefix) as TradesTables;
  const clock = options.clock;

  const storeDefinition: ModuleDefinition<TradesStore> = {
    name: TradesModule.store,
    deps: [CoreModule.store],
    init: (ctx) => {
      const { client, doc } = ctx.get<DynamoClients>(CoreModule.store);
      return {
        value: {
          tables,
          trades: new TradeRepository(doc, tables.trades),
          idempotency: new IdempotencyRepository(doc, tables.idempotency, settings.idempotency),
          jobs: new BulkJobRepository(
            doc,
            { jobs: tables.bulkJobs, errors: tables.bulkErrors },
            settings.bulk.retentionMs,
          ),
        },
        start: () =>
          ensureTables(client, Object.values(tables), { timeoutMs: TABLES_TIMEOUT_MS, logger: ctx.logger }),
      };
    },
  };

  const statusDefinition: ModuleDefinition<OutcomeConsumer> = {
    name: TradesModule.status,
    deps: [CoreModule.bus, CoreModule.metrics, TradesModule.store],
    init: (ctx) => {
      const bus = ctx.get<Bus>(CoreModule.bus);
      const logger = ctx.logger.child({ component: 'trades-status' });
      const consumer = new OutcomeConsumer({
        trades: ctx.get<TradesStore>(TradesModule.store).trades,
        metrics: createTradesMetrics(ctx.get<Metrics>(CoreModule.metrics)),
        logger,
        concurrency: settings.status.updateConcurrency,
        clock,
      });
      let subscription: SubscriptionHandle | undefined;
      return {
        value: consumer,
        start: async () => {
          await bus.ensureTopics([{ name: submittedTopic }, { name: outcomesTopic }]);
          subscription = await bus.subscribe({
            group,
            topics: [outcomesTopic],
            // A group without offsets yet (the first start) must not skip outcomes published before it joined;
            // replaying old ones is harmless, every update is conditional.
            fromBeginning: true,
            maxBatchSize: settings.status.batchSize,
            concurrency: settings.status.concurrency,
            batchHandler: (messages) => consumer.handleBatch(messages),
          });
          logger.info({ group, topic: outcomesTopic }, 'trade status consumer subscribed');
        },
        stop: async () => {
          await subscription?.close();
        },
      };
    },
  };

  const http = httpModule({
    name: TradesModule.http,
    service: 'trades',
    // Intake opens only once the status consumer runs, so no outcome of an accepted trade goes unheard.
    deps: [CoreModule.bus, TradesModule.store, TradesModule.status, referenceModule],
    http: settings.http,
    shutdownTimeoutMs: config.lifecycle.shutdownTimeoutMs,
    extraBodyTypes: Object.keys(BULK_MEDIA_TYPES),
    requestTimeoutMs: settings.bulk.uploadTimeoutMs,
    openapi: OPENAPI_FILE,
    routes: (ctx) => {
      const store = ctx.get<TradesStore>(TradesModule.store);
      const bus = ctx.get<Bus>(CoreModule.bus);
      const instruments = ctx.get<InstrumentLookup>(referenceModule);
      const metrics = createTradesMetrics(ctx.get<Metrics>(CoreModule.metrics));
      const logger = ctx.logger.child({ component: 'trades-intake' });
      return tradesRoutes({
        intake: new TradeIntake({
          trades: store.trades,
          bus,
          instruments,
          metrics,
          logger,
          submittedTopic,
          clock,
          singleGroups: {
            ...DEFAULT_SINGLE_GROUPS,
            maxGroup: settings.intake.singleGroupMax,
            maxQueued: settings.intake.singleQueueMax,
          },
        }),
        bulk: new BulkImporter({
          trades: store.trades,
          jobs: store.jobs,
          bus,
          instruments,
          metrics,
          logger,
          submittedTopic,
          settings: settings.bulk,
          clock,
        }),
        trades: store.trades,
        jobs: store.jobs,
        idempotency: new IdempotencyGuard(store.idempotency, logger),
        settings: { batchMaxItems: settings.intake.batchMaxItems, maxLineBytes: settings.bulk.maxLineBytes },
      });
    },
  });

  return [
    ...(options.referenceCacheModule === undefined
      ? [
          referenceCacheModule(TradesModule.referenceCache, {
            catchUpDeadlineMs: settings.referenceCatchUpTimeoutMs,
          }),
        ]
      : []),
    storeDefinition,
    statusDefinition,
    http,
    { name: TradesModule.service, deps: [TradesModule.status, TradesModule.http], init: () => ({}) },
  ];
}
