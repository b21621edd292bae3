/**
 * The test broker as the Kafka adapter's integration tests use it: its address, settings that make groups
 * fast on one broker, an admin client, the cleanup of what a test file created, and a lag recorder.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { noopBusObserver, type BusObserver, type KafkaBusConfig } from '@tradeflow/platform/bus';

/** The test broker (KAFKA_BROKERS, default the one `make infra-up` starts). */
export const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');

/** Short timeouts so joins, rebalances and stops take a fraction of a second on the single test broker. */
export const FAST_GROUPS = {
  replicationFactor: 1,
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 500,
  rebalanceTimeoutMs: 3000,
  maxWaitTimeMs: 100,
} satisfies Partial<KafkaBusConfig>;

/** Runs `fn` with a connected admin client of its own. */
export async function withAdmin<T>(
  fn: (admin: Admin) => Promise<T>,
  clientId = 'kafka-test-admin',
): Promise<T> {
  const admin = new Kafka({ brokers, clientId, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Deletes the consumer groups and topics whose names start with `prefix` (a test file's unique run id). */
export function deleteByPrefix(prefix: string): Promise<void> {
  return withAdmin(async (admin) => {
    const { groups } = await admin.listGroups();
    const ours = groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
    if (ours.length > 0) await admin.deleteGroups(ours);
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  });
}

/** An observer keeping the latest lag reported per `topic/partition/group` in `latest`; nothing else. */
export function lagRecorder(): BusObserver & { readonly latest: Map<string, number> } {
  const latest = new Map<string, number>();
  return {
    ...noopBusObserver,
    latest,
    lag: (topic, partition, group, messages) => void latest.set(`${topic}/${partition}/${group}`, messages),
  };
}
