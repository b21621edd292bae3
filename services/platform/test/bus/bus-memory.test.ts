import { MemoryBus } from '@tradeflow/platform/bus/memory';
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
