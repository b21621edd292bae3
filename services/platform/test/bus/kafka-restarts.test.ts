/**
 * How a Kafka subscription lives through consumer crashes, on a scripted stand-in for kafkajs: kafkajs reports
 * a crash (and a failed join) through its CRASH event, which is hard to provoke on demand against a broker.
 */
import { EventEmitter } from 'node:events';
import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { BusError } from '@tradeflow/platform/bus';
import { KafkaBus } from '@tradeflow/platform/bus/kafka';

/** What the next run() of a consumer does: join its group, or crash with this error. */
type RunOutcome = 'join' | Error;

/** A kafkajs consumer that joins or crashes as scripted and counts what was asked of it. */
class ScriptedConsumer {
  readonly events = { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' } as const;
  runs = 0;
  disconnects = 0;
  private readonly emitter = new EventEmitter();

  constructor(readonly script: RunOutcome[]) {}

  on(event: string, listener: (e: unknown) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
  connect = (): Promise<void> => Promise.resolve();
  subscribe = (): Promise<void> => Promise.resolve();
  pause = (): void => undefined;
  resume = (): void => undefined;
  commitOffsets = (): Promise<void> => Promise.resolve();
  disconnect = (): Promise<void> => {
    this.disconnects++;
    return Promise.resolve();
  };

  /** Like kafkajs: resolves after the join, or after reporting the failed join as a crash. */
  run(): Promise<void> {
    this.runs++;
    const outcome = this.script.shift() ?? 'join';
    if (outcome === 'join') this.emitter.emit(this.events.GROUP_JOIN, { payload: {} });
    else this.crash(outcome);
    return Promise.resolve();
  }

  /** kafkajs gave up on `error` (it disconnects the consumer, then reports it). */
  crash(error: Error): void {
    this.emitter.emit(this.events.CRASH, { payload: { error, groupId: 'g', restart: false } });
  }
}

const mockConsumers: ScriptedConsumer[] = [];
/** Scripts of the next consumers to be created, in order. */
const mockScripts: RunOutcome[][] = [];
/** Producer and admin connections currently open. */
const mockOpen = { producer: 0, admin: 0 };

jest.mock('kafkajs', () => {
  const actual = jest.requireActual<typeof import('kafkajs')>('kafkajs');
  const connection = (name: keyof typeof mockOpen) => ({
    connect: () => Promise.resolve(void (mockOpen[name] = 1)),
    disconnect: () => Promise.resolve(void (mockOpen[name] = 0)),
  });
  class ScriptedKafka {
    producer() {
      return { ...connection('producer'), sendBatch: () => Promise.resolve([]) };
    }
    admin() {
      return {
        ...connection('admin'),
        listTopics: () => Promise.resolve([]),
        createTopics: () => Promise.resolve(true),
        // Every partition has a committed offset, so a subscription from now has nothing to set up.
        fetchOffsets: ({ topics }: { topics: string[] }) =>
          Promise.resolve(topics.map((topic) => ({ topic, partitions: [{ partition: 0, offset: '5' }] }))),
        fetchTopicOffsets: () => Promise.resolve([{ partition: 0, offset: '5', low: '0', high: '5' }]),
      };
    }
    consumer() {
      const consumer = new ScriptedConsumer(mockScripts.shift() ?? []);
      mockConsumers.push(consumer);
      return consumer;
    }
  }
  return { ...actual, Kafka: ScriptedKafka };
});

const retriable = () =>
  new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection refused'), {
    retryCount: 8,
    retryTime: 100,
  });

/** Settles `promise` into a value the test can inspect without awaiting it. */
function track(promise: Promise<unknown>): { settled: () => boolean; error: () => unknown } {
  let settled = false;
  let error: unknown;
  promise.then(
    () => (settled = true),
    (err: unknown) => {
      settled = true;
      error = err;
    },
  );
  return { settled: () => settled, error: () => error };
}

describe('kafka subscription restarts', () => {
  let bus: KafkaBus;

  beforeEach(async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    mockConsumers.length = 0;
    mockScripts.length = 0;
    bus = new KafkaBus({
      brokers: ['127.0.0.1:1'],
      clientId: 'restarts',
      consumerRestarts: 2,
      consumerRestartBackoff: { baseMs: 1000, maxMs: 1000, jitter: 0 },
    });
    await bus.init();
  });

  afterEach(async () => {
    await bus.close();
    jest.useRealTimers();
  });

  const subscribe = async (): Promise<ScriptedConsumer> => {
    await bus.subscribe({ group: 'g', topics: ['t'], handler: () => Promise.resolve() });
    const consumer = mockConsumers.at(-1);
    if (consumer === undefined) throw new Error('no consumer was created');
    return consumer;
  };

  it('when a running consumer crashes on a retriable error, then it rejoins after the backoff and the bus stays up', async () => {
    const consumer = await subscribe();
    const failed = track(bus.failed);
    consumer.crash(retriable());
    await jest.advanceTimersByTimeAsync(999);
    expect(consumer.runs).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(consumer.runs).toBe(2);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(failed.settled()).toBe(false);
  });

  it('when every restart crashes again, then after the allowed restarts the bus fails instead of looping', async () => {
    const consumer = await subscribe();
    const failed = track(bus.failed);
    consumer.script.push(retriable(), retriable(), retriable());
    consumer.crash(retriable());
    await jest.advanceTimersByTimeAsync(10_000);
    // The first run, then two restarts; the third crash is one too many.
    expect(consumer.runs).toBe(3);
    expect(failed.error()).toBeInstanceOf(BusError);
    expect(failed.error()).toMatchObject({ code: 'BUS.CONSUMER_FAILED', retriable: true });
    expect((failed.error() as Error).message).toContain('group g');
  });

  it('when a crash cannot heal, then the bus fails at once without a restart', async () => {
    const consumer = await subscribe();
    const failed = track(bus.failed);
    consumer.crash(new KafkaJSNonRetriableError('the group is not authorised'));
    await jest.advanceTimersByTimeAsync(10_000);
    expect(consumer.runs).toBe(1);
    expect(failed.error()).toMatchObject({ code: 'BUS.CONSUMER_FAILED', retriable: false });
  });

  it('when the group cannot be joined at subscribe, then subscribe rejects and nothing restarts', async () => {
    const failed = track(bus.failed);
    mockScripts.push([new KafkaJSNonRetriableError('invalid session timeout')]);
    await expect(
      bus.subscribe({ group: 'g', topics: ['t'], handler: () => Promise.resolve() }),
    ).rejects.toMatchObject({ code: 'BUS.SUBSCRIBE_FAILED', retriable: false });
    await jest.advanceTimersByTimeAsync(60_000);
    const consumer = mockConsumers.at(-1);
    expect(consumer?.runs).toBe(1);
    expect(consumer?.disconnects).toBeGreaterThanOrEqual(1);
    expect(failed.settled()).toBe(false);
  });

  it('when the subscription closes during the restart backoff, then it neither restarts nor fails the bus', async () => {
    const consumer = await subscribe();
    const failed = track(bus.failed);
    consumer.crash(retriable());
    await bus.close();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(consumer.runs).toBe(1);
    expect(failed.settled()).toBe(false);
  });
});

describe('kafka bus close races', () => {
  beforeEach(() => {
    mockConsumers.length = 0;
    mockScripts.length = 0;
  });

  it('when close runs while a subscribe is still checking its topics, then subscribe rejects and no consumer runs after the close', async () => {
    const bus = new KafkaBus({ brokers: ['127.0.0.1:1'], clientId: 'races' });
    await bus.init();
    const subscribing = bus.subscribe({ group: 'g', topics: ['t'], handler: () => Promise.resolve() });
    await bus.close();
    await expect(subscribing).rejects.toMatchObject({ code: 'BUS.CLOSED' });
    expect(mockConsumers.map((c) => c.runs)).toEqual([]);
  });

  it('when close runs while init is connecting, then init rejects and leaves nothing connected', async () => {
    const bus = new KafkaBus({ brokers: ['127.0.0.1:1'], clientId: 'races' });
    const initialising = bus.init();
    await bus.close();
    await expect(initialising).rejects.toMatchObject({ code: 'BUS.CLOSED' });
    expect(mockOpen).toEqual({ producer: 0, admin: 0 });
  });
});
