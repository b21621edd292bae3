import { EventTypes, Topics, type ReferenceChange } from '@tradeflow/contracts';
import type { Bus, PartitionOffsets, PublishMessage } from '@tradeflow/platform/bus';
import { MemoryBus } from '@tradeflow/platform/bus/memory';
import { ReferenceCache, ReferenceCacheClosedError } from '../../src/cache';
import { referenceChangeFor, referenceTombstoneFor, type ReferenceRecord } from '../../src/domain';
import { DEFAULT_SEED, generateSeed, seedRecords } from '../../src/seed';

const now = new Date('2026-03-02T15:00:00.000Z');
const seed = generateSeed({ seed: DEFAULT_SEED, now });
const topic = Topics.referenceChanges;

const toMessage = (record: ReferenceRecord): PublishMessage<ReferenceChange> => ({
  topic,
  key: record.key,
  type: EventTypes.referenceChanged,
  data: record.change,
});

/** Polls `done` until it holds or two seconds pass. */
async function eventually(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('reference cache', () => {
  let bus: MemoryBus;
  const caches: ReferenceCache[] = [];
  const newCache = (on: Bus = bus): ReferenceCache => {
    const cache = new ReferenceCache({ bus: on, groupPrefix: 'test-cache' });
    caches.push(cache);
    return cache;
  };

  beforeEach(async () => {
    bus = new MemoryBus({ defaultPartitions: 3 });
    await bus.init();
  });

  afterEach(async () => {
    await Promise.all(caches.splice(0).map((c) => c.close()));
    await bus.close();
  });

  it('when the topic holds the seed at start, then ready resolves with every entity already applied', async () => {
    await bus.publishBatch(seedRecords(seed).map(toMessage));
    const cache = newCache();
    await cache.start();
    await cache.ready;
    expect({
      market: cache.size('market'),
      instrument: cache.size('instrument'),
      price: cache.size('price'),
      fx: cache.size('fx'),
      account: cache.size('account'),
      restricted: cache.size('restricted'),
    }).toEqual({
      market: seed.markets.length,
      instrument: seed.instruments.length,
      price: seed.prices.length,
      fx: seed.fx.length,
      account: seed.accounts.length,
      restricted: seed.restricted.length,
    });
    expect(cache.size()).toBe(seedRecords(seed).length);
    expect(cache.progress()).toMatchObject({ caughtUp: true, pending: {} });
    expect(cache.account('DEMO-1')?.currency).toBe('USD');
    expect(cache.market('XTKS')?.timeZone).toBe('Asia/Tokyo');
    expect(cache.instrument('AAPL')?.market).toBe('XNAS');
    expect(cache.price('AAPL')?.price).toBe(190);
    expect(cache.restricted('RSTR')).toBeDefined();
    expect(cache.restricted('AAPL')).toBeUndefined();
  });

  it('when a key changed several times before start, then the latest state wins and a tombstone deletes', async () => {
    const apple = seed.instruments.find((i) => i.symbol === 'AAPL');
    const rstr = seed.restricted.find((r) => r.symbol === 'RSTR');
    if (!apple || !rstr) throw new Error('seed fixtures missing');
    await bus.publishBatch(
      [
        referenceChangeFor('instrument', apple),
        referenceChangeFor('instrument', { ...apple, status: 'HALTED' }),
        referenceChangeFor('instrument', { ...apple, status: 'ACTIVE', tickSize: 0.05 }),
        referenceChangeFor('restricted', rstr),
        referenceTombstoneFor('restricted', 'RSTR'),
      ].map(toMessage),
    );
    const cache = newCache();
    await cache.start();
    await cache.waitUntilCaughtUp(2000);
    expect(cache.instrument('AAPL')).toEqual({ ...apple, status: 'ACTIVE', tickSize: 0.05 });
    expect(cache.restricted('RSTR')).toBeUndefined();
    expect(cache.size()).toBe(1);
  });

  it('when the topic is empty, then ready resolves at once', async () => {
    const cache = newCache();
    await cache.start();
    await expect(cache.waitUntilCaughtUp(100)).resolves.toBeUndefined();
    expect(cache.size()).toBe(0);
  });

  it('when changes arrive after catch-up, then lookups follow them, bus tombstones included', async () => {
    const cache = newCache();
    await cache.start();
    await cache.ready;
    const seen: string[] = [];
    const stop = cache.onChange((change) => seen.push(`${change.kind}:${change.id}`));
    const account = seed.accounts.find((a) => a.accountId === 'DEMO-1');
    if (!account) throw new Error('seed fixture missing');

    await bus.publish(toMessage(referenceChangeFor('account', account)));
    await eventually('the account', () => cache.account('DEMO-1') !== undefined);
    const raised = { ...account, limits: { ...account.limits, maxQuantity: 1 } };
    await bus.publish(toMessage(referenceChangeFor('account', raised)));
    await eventually('the limit change', () => cache.account('DEMO-1')?.limits.maxQuantity === 1);
    // A bus-level tombstone (null data) deletes the entity its key names.
    await bus.publish({ topic, key: 'account:DEMO-1', type: EventTypes.referenceChanged, data: null });
    await eventually('the deletion', () => cache.account('DEMO-1') === undefined);
    expect(seen).toEqual(['account:DEMO-1', 'account:DEMO-1', 'account:DEMO-1']);
    stop();
  });

  it('when asked for FX rates, then USD is 1, a seeded currency has its rate and an unknown one none', async () => {
    await bus.publishBatch(seed.fx.map((rate) => toMessage(referenceChangeFor('fx', rate))));
    const cache = newCache();
    await cache.start();
    await cache.ready;
    expect(cache.fxRate('USD')).toBe(1);
    expect(cache.fxRate('GBP')).toBe(1.27);
    expect(cache.fxRate('JPY')).toBe(0.0067);
    expect(cache.fxRate('EUR')).toBeUndefined();
    expect(cache.fx('GBP')?.asOf).toBe(now.toISOString());
  });

  it('when two caches read the same topic, then each has its own group and sees everything', async () => {
    await bus.publishBatch(seed.markets.map((m) => toMessage(referenceChangeFor('market', m))));
    const [a, b] = [newCache(), newCache()];
    await Promise.all([a.start(), b.start()]);
    await Promise.all([a.ready, b.ready]);
    expect(a.groupId).not.toBe(b.groupId);
    expect(a.groupId).toMatch(/^test-cache-[0-9a-f]{8}$/);
    expect([a.size('market'), b.size('market')]).toEqual([seed.markets.length, seed.markets.length]);
  });

  it('when the last record is not a reference change, then it is skipped and the cache still catches up', async () => {
    const market = seed.markets[0];
    if (!market) throw new Error('seed has no markets');
    // One partition, so the bad record is certainly the last one the cache must reach.
    const single = new MemoryBus({ defaultPartitions: 1 });
    await single.init();
    try {
      await single.publishBatch([
        toMessage(referenceChangeFor('market', market)),
        { topic, key: 'market:XBAD', type: EventTypes.referenceChanged, data: { kind: 'market', id: 'x' } },
      ]);
      const cache = newCache(single);
      await cache.start();
      await cache.waitUntilCaughtUp(2000);
      expect(cache.size()).toBe(1);
      expect(cache.progress().applied).toBe(1);
    } finally {
      await Promise.all(caches.splice(0).map((c) => c.close()));
      await single.close();
    }
  });

  it('when it cannot reach the end in time, then waiting rejects naming what is left, and closing rejects ready', async () => {
    await bus.publish(
      toMessage(
        referenceChangeFor('fx', seed.fx[0] ?? { currency: 'GBP', usdPerUnit: 1, asOf: now.toISOString() }),
      ),
    );
    // A bus that claims the partition holds more than it does: the cache can never get there.
    const lying: Bus = Object.create(bus) as Bus;
    lying.partitionOffsets = async (name: string): Promise<PartitionOffsets[]> =>
      (await bus.partitionOffsets(name)).map((o) => ({ ...o, end: String(Number(o.end) + 5) }));
    const cache = newCache(lying);
    await cache.start();
    await expect(cache.waitUntilCaughtUp(50)).rejects.toMatchObject({
      code: 'REFERENCE.CACHE_CATCH_UP_TIMEOUT',
      status: 504,
    });
    expect(cache.progress().caughtUp).toBe(false);
    expect(Object.keys(cache.progress().pending)).toHaveLength(3);
    await cache.close();
    await expect(cache.ready).rejects.toBeInstanceOf(ReferenceCacheClosedError);
  });
});
