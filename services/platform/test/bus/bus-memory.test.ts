import { MemoryBus, partitionFor } from '@tradeflow/platform/bus/memory';
import { runBusConformance } from './conformance';

runBusConformance('memory', {
  capabilities: ['per-key-ordering', 'consumer-groups', 'competing-consumers', 'dead-letter', 'compaction'],
  createBus: async (deps) => {
    const bus = new MemoryBus({ source: '/tradeflow/conformance' }, deps);
    await bus.init();
    return bus;
  },
  waitMs: 3000,
  testTimeoutMs: 5000,
  replayIdleMs: 200,
});

describe('memory bus', () => {
  it('when handlers never wait on I/O, then delivery still lets timers run between turns', async () => {
    const bus = new MemoryBus();
    await bus.init();
    const rounds = 2000;
    let handled = 0;
    let handledWhenTimerFired: number | undefined;
    // A ping-pong: every delivery publishes the next message, all in memory, never touching I/O.
    await bus.subscribe<number>({
      group: 'g',
      topics: ['ping'],
      fromBeginning: true,
      handler: async () => {
        handled++;
        if (handled < rounds) await bus.publish({ topic: 'ping', key: 'k', type: 'ping', data: handled });
      },
    });
    setTimeout(() => (handledWhenTimerFired = handled), 0);
    await bus.publish({ topic: 'ping', key: 'k', type: 'ping', data: 0 });
    for (const deadline = Date.now() + 10_000; handled < rounds;) {
      if (Date.now() > deadline) throw new Error(`only ${handled} of ${rounds} rounds`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await bus.close();
    expect(handledWhenTimerFired).toBeLessThan(rounds);
  });
});

describe('memory bus concurrency slots', () => {
  it('when one partition is busy and concurrency is below the partition count, then another partition still gets its turn', async () => {
    const bus = new MemoryBus();
    await bus.init();
    await bus.ensureTopics([{ name: 'busy', partitions: 2 }]);
    const [busyKey, quietKey] = ['a', 'b', 'c', 'd', 'e'].reduce<[string?, string?]>(
      ([p0, p1], key) => (partitionFor(key, 2) === 0 ? [p0 ?? key, p1] : [p0, p1 ?? key]),
      [],
    );
    if (busyKey === undefined || quietKey === undefined) throw new Error('no key for one of the partitions');
    const busy = 3000;
    await bus.publishBatch(
      Array.from({ length: busy }, (_, i) => ({ topic: 'busy', key: busyKey, type: 't', data: i })),
    );
    await bus.publish({ topic: 'busy', key: quietKey, type: 't', data: 'quiet' });
    let handled = 0;
    let quietAt: number | undefined;
    await bus.subscribe({
      group: 'g',
      topics: ['busy'],
      fromBeginning: true,
      concurrency: 1,
      handler: async (m) => {
        if (m.key === quietKey) quietAt = handled;
        handled++;
        await Promise.resolve();
      },
    });
    for (const deadline = Date.now() + 10_000; handled < busy + 1;) {
      if (Date.now() > deadline) throw new Error(`only ${handled} of ${busy + 1} handled`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await bus.close();
    expect(quietAt).toBeLessThan(busy / 10);
  });
});
