/**
 * The all-in-one wiring: the seed module loads the reference data at start, and a reference cache that
 * depends on it starts with all of it. Memory bus, DynamoDB Local (DYNAMODB_ENDPOINT), a prefix unique to this file.
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { ModuleManager } from '@tradeflow/platform/lifecycle';
import { busModule, CoreModule, metricsModule, storeModule } from '@tradeflow/platform/runtime';
import type { DynamoClients } from '@tradeflow/platform/store';
import { referenceCacheModule, type ReferenceCache } from '../src/cache';
import { ReferenceDataModule, referenceSeedModule, type ReferenceSeedStatus } from '../src/module';
import { DEFAULT_SEED, generateSeed, seedRecords } from '../src/seed';

const endpoint = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';
const prefix = `it-refseed-${process.pid}-${Date.now().toString(36)}-`;

describe('reference seed module', () => {
  it('when a cache depends on the seed module, then it starts holding every seeded entity', async () => {
    const now = new Date('2026-03-02T15:00:00.000Z');
    const manager = new ModuleManager([
      metricsModule('test'),
      busModule({ adapter: 'memory', brokers: [], clientId: 'test', topicPartitions: 4 }, '/test'),
      storeModule({ endpoint, region: 'us-east-1', tablePrefix: prefix, credentials: undefined }),
      referenceSeedModule({ tablePrefix: prefix, seed: DEFAULT_SEED, clock: () => now }),
      referenceCacheModule('test-reference-cache', { deps: [ReferenceDataModule.seed] }),
    ]);
    await manager.start();
    try {
      const total = seedRecords(generateSeed({ seed: DEFAULT_SEED, now })).length;
      expect(manager.get<ReferenceSeedStatus>(ReferenceDataModule.seed).result?.total).toBe(total);
      const cache = manager.get<ReferenceCache>('test-reference-cache');
      expect(cache.size()).toBe(total);
      expect(cache.fxRate('GBP')).toBe(1.27);
    } finally {
      const store = manager.get<DynamoClients>(CoreModule.store);
      await store.client
        .send(new DeleteTableCommand({ TableName: `${prefix}reference-data` }))
        .catch(() => undefined);
      await manager.stop();
    }
  });
});
