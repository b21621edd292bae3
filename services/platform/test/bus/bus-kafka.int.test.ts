import { ConfigResourceTypes } from 'kafkajs';
import { KafkaBus } from '@tradeflow/platform/bus/kafka';
import { runBusConformance } from './conformance';
import { brokers, deleteByPrefix, FAST_GROUPS, withAdmin } from './kafka-test-broker';

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
        ...FAST_GROUPS,
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
  cleanup: deleteByPrefix,
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
