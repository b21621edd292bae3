import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs';
import { KafkaBus } from '@tradeflow/platform/bus/kafka';
import { runBusConformance } from './conformance';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');

/** Runs `fn` with a connected admin client of its own. */
async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Kafka({ brokers, clientId: 'bus-conformance-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

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
  cleanup: (prefix) =>
    withAdmin(async (admin) => {
      const { groups } = await admin.listGroups();
      const ours = groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
      if (ours.length > 0) await admin.deleteGroups(ours);
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
      if (topics.length > 0) await admin.deleteTopics({ topics });
    }),
  describeTopic: (name) =>
    withAdmin(async (admin) => {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name }],
      });
      const entries = resources[0]?.configEntries ?? [];
      const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
      return {
        partitions: topics[0]?.partitions.length ?? 0,
        config: Object.fromEntries(entries.map((e) => [e.configName, e.configValue])),
      };
    }),
});
