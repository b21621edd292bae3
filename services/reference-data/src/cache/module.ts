import type { ModuleDefinition } from '@tradeflow/platform/lifecycle';
import type { Bus } from '@tradeflow/platform/bus';
import { ReferenceCache } from './reference-cache';

/**
 * The bus core module's name (CoreModule.bus). Not imported from `@tradeflow/platform/runtime`, whose index
 * loads express and the AWS SDK, which a cache must not pull in.
 */
const BUS_MODULE = 'bus';

/** How long a cache module's start waits for catch-up unless told otherwise. */
export const DEFAULT_CATCH_UP_DEADLINE_MS = 60_000;

export interface ReferenceCacheModuleOptions {
  /** Longest start waits for the cache to catch up before the module fails (default 60 s). */
  catchUpDeadlineMs?: number;
  /** Consumer-group prefix (default: the module name). */
  groupPrefix?: string;
  /** Modules to start before the cache besides the bus, e.g. the seed loader in the all-in-one. */
  deps?: readonly string[];
}

/**
 * A module whose value is a started ReferenceCache; its start resolves only once the cache has caught up (or
 * fails after the deadline), so modules depending on it start with the reference data in place.
 */
export function referenceCacheModule(
  name: string,
  options: ReferenceCacheModuleOptions = {},
): ModuleDefinition<ReferenceCache> {
  const deadlineMs = options.catchUpDeadlineMs ?? DEFAULT_CATCH_UP_DEADLINE_MS;
  return {
    name,
    deps: [BUS_MODULE, ...(options.deps ?? [])],
    init: (ctx) => {
      const logger = ctx.logger.child({ component: 'reference-cache' });
      const cache = new ReferenceCache({
        bus: ctx.get<Bus>(BUS_MODULE),
        groupPrefix: options.groupPrefix ?? name,
        logger,
      });
      return {
        value: cache,
        start: async () => {
          const began = Date.now();
          await cache.start();
          await cache.waitUntilCaughtUp(deadlineMs);
          logger.info(
            { entities: cache.size(), applied: cache.progress().applied, ms: Date.now() - began },
            'reference data loaded',
          );
        },
        stop: () => cache.close(),
      };
    },
  };
}
