import { resolve } from 'node:path';
import type { HttpConfig, LifecycleConfig, StoreConfig } from '@tradeflow/platform/config';
import type { Bus } from '@tradeflow/platform/bus';
import type { ModuleDefinition } from '@tradeflow/platform/lifecycle';
import { CoreModule, httpModule } from '@tradeflow/platform/runtime';
import { ensureTables, withTablePrefix, type DynamoClients } from '@tradeflow/platform/store';
import type { ReferenceDataConfig } from './config';
import { ReferencePublisher } from './events/reference-publisher';
import { referenceRoutes } from './http/routes';
import { ReferenceService } from './reference-service';
import { loadSeed, type SeedLoadResult } from './seed/load-seed';
import { referenceDataTables } from './store/tables';
import { ReferenceRepository } from './store/reference-repository';

/** Names of the reference-data modules, for `deps` and `--target`. */
export const ReferenceDataModule = {
  /** Tables, topic, repository and publisher; its value is a ReferenceDataRuntime. */
  core: 'reference-data',
  http: 'reference-data-http',
  seed: 'reference-seed',
} as const;

/** What the service's core module provides to its HTTP routes and to the seed module. */
export interface ReferenceDataRuntime {
  repository: ReferenceRepository;
  publisher: ReferencePublisher;
  service: ReferenceService;
}

/** The part of the process config the reference-data modules read. */
export interface ReferenceDataModulesConfig {
  store: Pick<StoreConfig, 'tablePrefix'>;
  lifecycle: LifecycleConfig;
  referenceData: ReferenceDataConfig;
  referenceDataHttp: HttpConfig;
}

/** How long the tables may take to appear at start. */
const TABLES_TIMEOUT_MS = 30_000;

/** The service's API contract, served at `/openapi.json` (next to `src/` and `dist/`, shipped in `files`). */
const OPENAPI_FILE = resolve(__dirname, '../openapi.yaml');

/** The core module: ensures the table and the compacted topic, then offers the repository and the service. */
export function referenceDataCoreModule(
  config: Pick<ReferenceDataModulesConfig, 'store'>,
  clock: () => Date = () => new Date(),
): ModuleDefinition<ReferenceDataRuntime> {
  return {
    name: ReferenceDataModule.core,
    deps: [CoreModule.bus, CoreModule.store],
    init: (ctx) => {
      const { client, doc } = ctx.get<DynamoClients>(CoreModule.store);
      const tables = withTablePrefix(referenceDataTables, config.store.tablePrefix);
      const repository = new ReferenceRepository(doc, tables.reference, clock);
      const publisher = new ReferencePublisher(ctx.get<Bus>(CoreModule.bus));
      return {
        value: { repository, publisher, service: new ReferenceService(repository, publisher, clock) },
        start: async () => {
          await ensureTables(client, Object.values(tables), {
            timeoutMs: TABLES_TIMEOUT_MS,
            logger: ctx.logger,
          });
          await publisher.ensureTopic();
        },
      };
    },
  };
}

/** The reference-data service's modules: the core module and its HTTP API (not the seed: see referenceSeedModule). */
export function referenceDataModules(config: ReferenceDataModulesConfig): ModuleDefinition[] {
  return [
    referenceDataCoreModule(config),
    httpModule({
      name: ReferenceDataModule.http,
      service: 'reference-data',
      deps: [ReferenceDataModule.core],
      http: config.referenceDataHttp,
      shutdownTimeoutMs: config.lifecycle.shutdownTimeoutMs,
      openapi: OPENAPI_FILE,
      routes: (ctx) => referenceRoutes(ctx.get<ReferenceDataRuntime>(ReferenceDataModule.core).service),
    }),
  ];
}

export interface ReferenceSeedModuleOptions {
  /** The environment's TABLE_PREFIX. */
  tablePrefix?: string;
  /** Seed of the generated data (default DEFAULT_SEED). */
  seed?: number;
  clock?: () => Date;
}

/** The seed module's value: the load's result once its start has finished. */
export interface ReferenceSeedStatus {
  result: SeedLoadResult | undefined;
}

/**
 * Loads the demo reference data at start (all-in-one with SEED_ON_START=true): every entity is written and
 * published before the module counts as running, so modules depending on it (or listed after it) see it.
 */
export function referenceSeedModule(
  options: ReferenceSeedModuleOptions = {},
): ModuleDefinition<ReferenceSeedStatus> {
  return {
    name: ReferenceDataModule.seed,
    deps: [CoreModule.bus, CoreModule.store],
    init: (ctx) => {
      const status: ReferenceSeedStatus = { result: undefined };
      return {
        value: status,
        start: async () => {
          status.result = await loadSeed({
            store: ctx.get<DynamoClients>(CoreModule.store),
            bus: ctx.get<Bus>(CoreModule.bus),
            tablePrefix: options.tablePrefix,
            seed: options.seed,
            now: (options.clock ?? (() => new Date()))(),
          });
          const { counts, total, durationMs } = status.result;
          ctx.logger.info({ counts, total, durationMs }, 'reference data seeded');
        },
      };
    },
  };
}
