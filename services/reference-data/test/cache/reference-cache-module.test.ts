import { EventTypes, Topics } from '@tradeflow/contracts';
import type { Bus, PartitionOffsets } from '@tradeflow/platform/bus';
import { MemoryBus } from '@tradeflow/platform/bus/memory';
import { ModuleFailedError, ModuleManager, type ModuleDefinition } from '@tradeflow/platform/lifecycle';
import { CoreModule } from '@tradeflow/platform/runtime';
import { referenceCacheModule, type ReferenceCache } from '../../src/cache';
import { DEFAULT_SEED, generateSeed, seedRecords } from '../../src/seed';

const seed = generateSeed({ seed: DEFAULT_SEED, now: new Date('2026-03-02T15:00:00.000Z') });
const records = seedRecords(seed);

/** Stands in for the core bus module: the same name, the given bus as its value. */
function busModuleOf(bus: Bus): ModuleDefinition<Bus> {
  return { name: CoreModule.bus, deps: [], init: () => ({ value: bus, stop: () => bus.close() }) };
}

describe('reference cache module', () => {
  it('when a module depends on the cache, then it starts only after the cache holds everything on the topic', async () => {
    const bus = new MemoryBus({ defaultPartitions: 4 });
    await bus.init();
    await bus.publishBatch(
      records.map((r) => ({
        topic: Topics.referenceChanges,
        key: r.key,
        type: EventTypes.referenceChanged,
        data: r.change,
      })),
    );
    let sizeAtDependantStart = -1;
    const dependant: ModuleDefinition = {
      name: 'validation',
      deps: ['validation-reference-cache'],
      init: (ctx) => {
        const cache = ctx.get<ReferenceCache>('validation-reference-cache');
        return {
          start: () => {
            sizeAtDependantStart = cache.size();
            return Promise.resolve();
          },
        };
      },
    };
    const manager = new ModuleManager([
      busModuleOf(bus),
      referenceCacheModule('validation-reference-cache'),
      dependant,
    ]);
    await manager.start();
    try {
      expect(sizeAtDependantStart).toBe(records.length);
      expect(manager.get<ReferenceCache>('validation-reference-cache').groupId).toMatch(
        /^validation-reference-cache-/,
      );
    } finally {
      await manager.stop();
    }
  });

  it('when the cache cannot catch up before the deadline, then the module fails to start', async () => {
    const bus = new MemoryBus();
    await bus.init();
    const lying: Bus = Object.create(bus) as Bus;
    lying.partitionOffsets = async (name: string): Promise<PartitionOffsets[]> =>
      (await bus.partitionOffsets(name)).map((o) => ({ ...o, end: String(Number(o.end) + 1) }));
    const manager = new ModuleManager([
      busModuleOf(lying),
      referenceCacheModule('trades-reference-cache', { catchUpDeadlineMs: 50 }),
    ]);
    const started = manager.start();
    await expect(started).rejects.toBeInstanceOf(ModuleFailedError);
    await expect(started).rejects.toMatchObject({
      module: 'trades-reference-cache',
      phase: 'start',
      cause: { code: 'REFERENCE.CACHE_CATCH_UP_TIMEOUT' },
    });
    await manager.stop();
  });

  it('when extra deps are given, then the cache starts after them', () => {
    const module = referenceCacheModule('cache', { deps: ['reference-seed'] });
    expect(module.deps).toEqual([CoreModule.bus, 'reference-seed']);
  });
});
