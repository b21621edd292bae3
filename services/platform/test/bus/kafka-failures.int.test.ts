/**
 * Kafka consumers that cannot go on, against the real broker: a group that cannot be joined, and a member
 * that crashes for good while running, which must stop the process through the lifecycle.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { Bus, SubscriptionHandle } from '@tradeflow/platform/bus';
import { KafkaBus } from '@tradeflow/platform/bus/kafka';
import { ModuleFailedError, ModuleManager, type ModuleDefinition } from '@tradeflow/platform/lifecycle';
import { busModule, CoreModule, metricsModule } from '@tradeflow/platform/runtime';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const runId = `kafka-failures.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

describe('kafka consumers that cannot go on', () => {
  const kafka = new Kafka({ brokers, clientId: 'kafka-failures', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();

  beforeAll(() => admin.connect());
  afterAll(async () => {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(runId));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.disconnect();
  });

  it('when the group cannot be joined, then subscribe rejects instead of resolving without a member', async () => {
    // Above the broker's group.max.session.timeout.ms (30 min by default): the join is refused for good.
    const bus = new KafkaBus({ brokers, clientId: 'kafka-failures', sessionTimeoutMs: 3_600_000 });
    await bus.init();
    try {
      await expect(
        bus.subscribe({ group: `${runId}.g1`, topics: [`${runId}.join`], handler: () => Promise.resolve() }),
      ).rejects.toMatchObject({ code: 'BUS.SUBSCRIBE_FAILED', retriable: false });
    } finally {
      await bus.close();
    }
  });

  it('when a running consumer crashes for good, then the bus module fails and the manager stops the process', async () => {
    const topic = `${runId}.crash`;
    // A dead-letter topic that refuses anything but tiny records: moving the poison there fails for good.
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic, numPartitions: 1 },
        {
          topic: `${topic}.dlq`,
          numPartitions: 1,
          configEntries: [{ name: 'max.message.bytes', value: '64' }],
        },
      ],
    });
    let subscription: SubscriptionHandle | undefined;
    const consumer: ModuleDefinition = {
      name: 'consumer',
      deps: [CoreModule.bus],
      init: (ctx) => {
        const bus = ctx.get<Bus>(CoreModule.bus);
        return {
          start: async () => {
            subscription = await bus.subscribe({
              group: `${runId}.g2`,
              topics: [topic],
              fromBeginning: true,
              retry: { maxAttempts: 1, backoff: { baseMs: 1, maxMs: 1 } },
              handler: () => Promise.reject(new Error('poison')),
            });
          },
          stop: async () => {
            await subscription?.close();
          },
        };
      },
    };
    const manager = new ModuleManager([
      metricsModule('kafka-failures'),
      busModule(
        { adapter: 'kafka', brokers, clientId: 'kafka-failures', topicPartitions: 1 },
        '/kafka-failures',
      ),
      consumer,
    ]);
    const failure = new Promise<ModuleFailedError>((resolve) => manager.onFailure(resolve));
    await manager.start();
    expect(manager.readiness().ready).toBe(true);

    await manager.get<Bus>(CoreModule.bus).publish({ topic, key: 'k', type: 'x', data: 'x'.repeat(200) });
    const failed = await failure;
    expect(failed).toMatchObject({ module: CoreModule.bus, phase: 'run' });
    expect(failed.cause).toMatchObject({ code: 'BUS.CONSUMER_FAILED', retriable: false });
    expect(manager.readiness().ready).toBe(false);
    expect(manager.liveness().alive).toBe(false);
    await manager.stop();
  });
});
