/**
 * Namespaces of the Kafka adapter against the test broker: buses in different namespaces share the broker
 * without seeing each other, the broker holds the prefixed topics and groups, and callers see plain names.
 */
import { KafkaBus } from '@tradeflow/platform/bus/kafka';
import type { BusMessage, SubscriptionHandle } from '../../src/bus';
import { eventually } from '../../../../tests/support/eventually';
import { brokers, deleteByPrefix, FAST_GROUPS, lagRecorder, withAdmin } from './kafka-test-broker';

const runId = `kafka-ns-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const namespaces = [`${runId}-a`, `${runId}-b`];

/** The lag reports (plain names expected). */
const recorder = lagRecorder();
const buses: KafkaBus[] = [];
const handles: SubscriptionHandle[] = [];

beforeAll(async () => {
  for (const namespace of namespaces) {
    const bus = new KafkaBus(
      { brokers, clientId: 'kafka-ns-test', namespace, ...FAST_GROUPS, lagSampleIntervalMs: 100 },
      { observer: recorder },
    );
    await bus.init();
    buses.push(bus);
  }
});

afterAll(async () => {
  await Promise.allSettled(handles.map((h) => h.close()));
  await Promise.allSettled(buses.map((b) => b.close()));
  await deleteByPrefix(runId);
});

describe('kafka namespaces', () => {
  it('when two buses in different namespaces use the same topic and group names, then each sees only its own messages, under plain names', async () => {
    const topic = 'orders';
    const group = 'workers';
    const received = namespaces.map(() => [] as BusMessage<{ from: string }>[]);
    for (const [i, bus] of buses.entries()) {
      handles.push(
        await bus.subscribe<{ from: string }>({
          group,
          topics: [topic],
          handler: (m) => {
            received[i]?.push(m);
            return Promise.resolve();
          },
        }),
      );
    }
    for (const [i, bus] of buses.entries()) {
      await bus.publish({ topic, key: 'k', type: 'test.v1', data: { from: namespaces[i] as string } });
    }

    await eventually(
      () => (received.every((r) => r.length === 1) ? true : undefined),
      'one message in each namespace',
    );
    for (const [i, messages] of received.entries()) {
      expect(messages.map((m) => [m.topic, m.data.from])).toEqual([[topic, namespaces[i]]]);
    }
    const onBroker = await withAdmin(async (admin) => ({
      topics: (await admin.listTopics()).filter((t) => t.startsWith(runId)).sort(),
      groups: (await admin.listGroups()).groups
        .map((g) => g.groupId)
        .filter((id) => id.startsWith(runId))
        .sort(),
    }));
    expect(onBroker.topics).toEqual(
      namespaces.flatMap((ns) => [`${ns}.${topic}`, `${ns}.${topic}.dlq`]).sort(),
    );
    expect(onBroker.groups).toEqual(namespaces.map((ns) => `${ns}.${group}`).sort());
    await eventually(() => (recorder.latest.has(`${topic}/0/${group}`) ? true : undefined), 'a lag report');
    expect([...recorder.latest.keys()].every((r) => !r.startsWith(runId))).toBe(true);
  }, 45_000);
});
