/**
 * Offset commits of the Kafka adapter against the test broker: messages that arrive one at a time are
 * committed together at most every COMMIT_INTERVAL_MS (kafkajs' auto-commit sent one commit per batch), and
 * nothing handled is left uncommitted, whether the stream pauses or the member closes.
 */
import { createRequire } from 'node:module';
import { COMMIT_INTERVAL_MS, KafkaBus } from '@tradeflow/platform/bus/kafka';
import { eventually } from '../../../../tests/support/eventually';
import { brokers, deleteByPrefix, FAST_GROUPS, withAdmin } from './kafka-test-broker';

const runId = `kafka-commits.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** kafkajs' Connection: every request of this process goes through its `send`, which the test counts. */
interface Connection {
  send: (this: Connection, args: { request: { apiName: string } }) => Promise<unknown>;
}
const { prototype: connection } = createRequire(__filename)('kafkajs/src/network/connection') as {
  prototype: Connection;
};
const originalSend = connection.send;
const requests = new Map<string, number>();

let bus: KafkaBus;

beforeAll(async () => {
  connection.send = function (args) {
    requests.set(args.request.apiName, (requests.get(args.request.apiName) ?? 0) + 1);
    return originalSend.call(this, args);
  };
  bus = new KafkaBus({ brokers, clientId: 'kafka-commits-test', ...FAST_GROUPS, lagSampleIntervalMs: 0 });
  await bus.init();
});

afterAll(async () => {
  await bus.close();
  connection.send = originalSend;
  await deleteByPrefix(runId);
});

/** The offset `group` committed on partition 0 of `topic` (-1 when none). */
function committed(group: string, topic: string): Promise<number> {
  return withAdmin(async (admin) => {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return Number(offsets?.partitions.find((p) => p.partition === 0)?.offset ?? -1);
  });
}

describe('kafka offset commits', () => {
  it('when messages arrive one at a time, then their offsets are committed together, and all of them once the stream pauses', async () => {
    const topic = `${runId}.single`;
    const group = `${runId}.g1`;
    await bus.ensureTopics([{ name: topic, partitions: 1 }]);
    const handled: number[] = [];
    const handle = await bus.subscribe<{ i: number }>({
      group,
      topics: [topic],
      handler: (m) => {
        handled.push(m.data.i);
        return Promise.resolve();
      },
    });
    requests.delete('OffsetCommit');
    const count = 20;
    const started = Date.now();
    for (let i = 0; i < count; i++) {
      await bus.publish({ topic, key: 'k', type: 'test.v1', data: { i } });
      // Each message its own batch: the consumer takes it before the next one is published.
      await eventually(() => (handled.length > i ? true : undefined), `message ${i} to be handled`, 10_000);
    }
    const elapsedMs = Date.now() - started;
    await eventually(
      async () => ((await committed(group, topic)) === count ? true : undefined),
      'every offset committed after the stream paused',
      10_000,
    );
    const commits = requests.get('OffsetCommit') ?? 0;
    // One per interval the stream lasted, plus the one after it paused; kafkajs' auto-commit sent 20.
    expect(commits).toBeLessThanOrEqual(Math.ceil(elapsedMs / COMMIT_INTERVAL_MS) + 2);
    expect(commits).toBeLessThan(count);
    await handle.close();
  }, 60_000);

  it('when a member closes right after handling, then what it handled is committed before it leaves', async () => {
    const topic = `${runId}.close`;
    const group = `${runId}.g2`;
    await bus.ensureTopics([{ name: topic, partitions: 1 }]);
    let handledCount = 0;
    const handle = await bus.subscribe({
      group,
      topics: [topic],
      handler: () => {
        handledCount++;
        return Promise.resolve();
      },
    });
    await bus.publishBatch(
      Array.from({ length: 3 }, (_, i) => ({ topic, key: 'k', type: 'test.v1', data: { i } })),
    );
    await eventually(
      () => (handledCount === 3 ? true : undefined),
      'the three messages to be handled',
      10_000,
    );
    // Well within the commit interval: only the close can have committed them.
    await handle.close();
    expect(await committed(group, topic)).toBe(3);
  }, 60_000);
});
