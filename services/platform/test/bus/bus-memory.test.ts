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
