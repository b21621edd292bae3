import { Kafka, logLevel } from 'kafkajs';
import { KafkaBus } from '@tradeflow/platform/bus/kafka';
import { runBusConformance } from './conformance';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');

runBusConformance('kafka', {
  capabilities: [
    'per-key-ordering',
    'consumer-groups',
    'competing-consumers',
    'dead-letter',
    'durable',
    'compaction',
  ],
  createBus: async (deps) => {
    const bus = new KafkaBus(
      {
        brokers,
        clientId: 'bus-conformance',
        source: '/tradeflow/conformance',
        replicationFactor: 1,
        // Short timeouts so joins, rebalances and stops take a fraction of a second on the test broker.
        sessionTimeoutMs: 6000,
        heartbeatIntervalMs: 500,
        rebalanceTimeoutMs: 3000,
        maxWaitTimeMs: 100,
        publishTimeoutMs: 10_000,
      },
      deps,
    );
    await bus.init();
    return bus;
  },
  waitMs: 20_000,
  testTimeoutMs: 45_000,
  replayIdleMs: 1500,
  cleanup: async (prefix) => {
    const admin = new Kafka({
      brokers,
      clientId: 'bus-conformance-cleanup',
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      const ours = groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
      if (ours.length > 0) await admin.deleteGroups(ours);
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
      if (topics.length > 0) await admin.deleteTopics({ topics });
    } finally {
      await admin.disconnect();
    }
  },
});
