/**
 * The bus's ceiling on this machine: kafkajs produce→consume messages/s on the same broker, through a
 * throwaway topic with as many partitions as trades.submitted, with the Kafka adapter's own settings
 * (services/platform/src/bus/kafka.ts): idempotent producer, acks=-1, one request in flight, `sendBatch`;
 * a consumer group reading with `eachBatch`, resolving each offset, committing at most every second, two
 * partitions at once (validation's default concurrency). Messages are CloudEvents like a submitted trade.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Message } from 'kafkajs';
import { benchTradeFields } from './bench-trade';

export interface RawKafkaOptions {
  brokers: string[];
  runId: string;
  /** Records per `sendBatch` (default 100: a busy intake's publish batch). */
  batchSize?: number;
  /** How long to keep producing (default 6 s); the clock stops when the last record is consumed. */
  durationMs?: number;
  /** Partitions of the throwaway topic (default: those of `submittedTopic`, else 6). */
  partitions?: number;
  /** trades.submitted as the broker names it (default `trades.submitted`; a KAFKA_NAMESPACE prefixes it). */
  submittedTopic?: string;
}

export interface RawKafkaResult {
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  partitions: number;
  batchSize: number;
}

const SUBMITTED = 'trades.submitted';

function record(n: number, run: string): Message {
  const now = new Date().toISOString();
  const data = {
    tradeId: randomUUID(),
    accountId: `E2E${run}-S${String((n % 16) + 1).padStart(2, '0')}`,
    ...benchTradeFields(n, now),
    channel: 'single',
    version: 1,
  };
  return {
    key: data.accountId,
    value: Buffer.from(JSON.stringify(data)),
    headers: {
      'content-type': 'application/json',
      ce_id: randomUUID(),
      ce_source: '/tradeflow/trades',
      ce_type: 'tradeflow.trades.submitted.v1',
      ce_specversion: '1.0',
      ce_time: now,
      traceparent: `00-${randomUUID().replace(/-/g, '')}-${randomUUID().slice(0, 18).replace(/-/g, '')}-01`,
    },
  };
}

/** Measures produce→consume throughput; creates and deletes its own topic. */
export async function measureRawKafka(options: RawKafkaOptions): Promise<RawKafkaResult> {
  const batchSize = options.batchSize ?? 100;
  const durationMs = options.durationMs ?? 6_000;
  const topic = `bench-raw-${options.runId.toLowerCase()}`;
  const kafka = new Kafka({
    clientId: `bench-raw-${options.runId}`,
    brokers: options.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 100, retries: 8 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const consumer = kafka.consumer({
    groupId: `bench-raw-${options.runId}`,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
    rebalanceTimeout: 60_000,
    maxWaitTimeInMs: 1000,
    allowAutoTopicCreation: false,
  });
  try {
    let partitions = options.partitions;
    if (partitions === undefined) {
      const meta = await admin
        .fetchTopicMetadata({ topics: [options.submittedTopic ?? SUBMITTED] })
        .catch(() => undefined);
      partitions = meta?.topics[0]?.partitions.length ?? 6;
    }
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    await producer.connect();
    await consumer.connect();
    let consumed = 0;
    let produced = 0;
    let producing = true;
    let lastConsumedAt = 0;
    let allConsumed: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (allConsumed = resolve));
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 2,
      eachBatch: async (payload) => {
        const { batch } = payload;
        for (const message of batch.messages) {
          // What the bus does per record before its handler: read the envelope back.
          JSON.parse(message.value?.toString('utf8') ?? 'null');
          payload.resolveOffset(message.offset);
          consumed += 1;
        }
        await payload.commitOffsetsIfNecessary();
        await payload.heartbeat();
        lastConsumedAt = performance.now();
        if (!producing && consumed >= produced) allConsumed();
      },
    });
    await joined;

    // Warm-up batch, then the measured stream.
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: [record(0, options.runId)] }] });
    const warmed = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (consumed >= 1) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    await warmed;
    const base = consumed;
    produced = base;
    const began = performance.now();
    let n = 1;
    while (performance.now() - began < durationMs) {
      const messages = Array.from({ length: batchSize }, () => record(n++, options.runId));
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
      produced += batchSize;
    }
    producing = false;
    if (consumed >= produced) allConsumed();
    const timeout = setTimeout(() => allConsumed(), 60_000);
    await done;
    clearTimeout(timeout);
    const messages = consumed - base;
    const seconds = (lastConsumedAt - began) / 1000;
    return { messages, seconds, messagesPerSecond: messages / seconds, partitions, batchSize };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups([`bench-raw-${options.runId}`]).catch(() => undefined);
    await admin.disconnect();
  }
}
