/**
 * Consumer lag sampling of the Kafka adapter against the test broker: what a group has not committed yet is
 * reported per partition, and the report follows the group as it catches up.
 */
import { KafkaBus } from '@tradeflow/platform/bus/kafka';
import type { SubscriptionHandle } from '../../src/bus';
import { eventually } from '../../../../tests/support/eventually';
import { brokers, deleteByPrefix, FAST_GROUPS, lagRecorder } from './kafka-test-broker';

const runId = `kafka-lag.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

const recorder = lagRecorder();
let bus: KafkaBus;
let handle: SubscriptionHandle | undefined;

beforeAll(async () => {
  bus = new KafkaBus(
    { brokers, clientId: 'kafka-lag-test', ...FAST_GROUPS, lagSampleIntervalMs: 100 },
    { observer: recorder },
  );
  await bus.init();
});

afterAll(async () => {
  await handle?.close();
  await bus.close();
  await deleteByPrefix(runId);
});

describe('kafka consumer lag', () => {
  it('when a group holds back on messages, then their lag is sampled per partition, and it drops to 0 once they are handled', async () => {
    const topic = `${runId}.t`;
    const group = `${runId}.g`;
    await bus.ensureTopics([{ name: topic, partitions: 2 }]);
    await bus.publishBatch(
      Array.from({ length: 5 }, (_, i) => ({ topic, key: 'same-key', type: 'test.v1', data: { i } })),
    );
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    handle = await bus.subscribe({
      group,
      topics: [topic],
      fromBeginning: true,
      handler: () => held,
    });

    // One key, so all five are on one partition; the other partition is empty and has no lag.
    const backlog = await eventually(() => {
      const values = [0, 1].map((p) => recorder.latest.get(`${topic}/${p}/${group}`));
      return values.every((v) => v !== undefined) && values.includes(5) ? values : undefined;
    }, 'a lag of 5 on the partition holding the messages');
    expect([...backlog].sort()).toEqual([0, 5]);

    release();
    await eventually(
      () => ([0, 1].every((p) => recorder.latest.get(`${topic}/${p}/${group}`) === 0) ? true : undefined),
      'the lag back at 0 on both partitions',
    );
  }, 45_000);
});
