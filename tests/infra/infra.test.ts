// The local infrastructure the integration suites run against: it answers real requests at the addresses
// the global setup exported, and it is configured the way the bus and the store rely on.
import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { Kafka, logLevel } from 'kafkajs';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const endpoint = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';

const kafka = new Kafka({ clientId: 'infra-test', brokers, logLevel: logLevel.NOTHING });

function dynamodb(region: string, accessKeyId: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials: { accessKeyId, secretAccessKey: 'local' } });
}

describe('local Kafka', () => {
  const admin = kafka.admin();
  beforeAll(() => admin.connect());
  afterAll(() => admin.disconnect());

  it('when described, then it is one broker advertising the exported loopback address', async () => {
    const cluster = await admin.describeCluster();

    expect(cluster.brokers).toHaveLength(1);
    expect(`${cluster.brokers[0]?.host}:${cluster.brokers[0]?.port}`).toBe(brokers[0]);
    expect(cluster.brokers[0]?.host).toBe('127.0.0.1');
  });

  it('when a producer writes to a missing topic, then the broker does not create it', async () => {
    const topic = `infra-missing-${randomUUID()}`;
    const producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 0 } });
    await producer.connect();
    try {
      await expect(producer.send({ topic, messages: [{ value: 'x' }] })).rejects.toThrow();
    } finally {
      await producer.disconnect();
    }
    expect(await admin.listTopics()).not.toContain(topic);
  });

  it('when an idempotent producer writes with acks=all, then a consumer group reads every message in key order', async () => {
    const topic = `infra-roundtrip-${randomUUID()}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const consumer = kafka.consumer({ groupId: `infra-test-${randomUUID()}` });
    try {
      await producer.connect();
      const sent = Array.from({ length: 12 }, (_, i) => ({ key: `k${i % 3}`, value: String(i) }));
      await producer.send({ topic, acks: -1, messages: sent });

      const received = new Map<string, number[]>();
      let count = 0;
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const all = new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: ({ message }) => {
            const key = message.key?.toString() ?? '';
            received.set(key, [...(received.get(key) ?? []), Number(message.value?.toString())]);
            if (++count === sent.length) resolve();
            return Promise.resolve();
          },
        });
      });
      await all;

      expect(Object.fromEntries(received)).toEqual({
        k0: [0, 3, 6, 9],
        k1: [1, 4, 7, 10],
        k2: [2, 5, 8, 11],
      });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] });
    }
  });
});

describe('local DynamoDB', () => {
  it('when asked to list tables, then it answers', async () => {
    const client = dynamodb('us-east-1', 'local');
    try {
      const out = await client.send(new ListTablesCommand({}));

      expect(Array.isArray(out.TableNames)).toBe(true);
    } finally {
      client.destroy();
    }
  });

  it('when a table is created under one region and key, then clients with another see it (shared db)', async () => {
    const table = `infra-shared-${randomUUID()}`;
    const writer = dynamodb('eu-west-1', 'writer');
    const reader = dynamodb('us-east-1', 'reader');
    try {
      await writer.send(
        new CreateTableCommand({
          TableName: table,
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );

      // From the created name on: one page holds 100 names, and a shared DynamoDB Local may hold more.
      const out = await reader.send(new ListTablesCommand({ ExclusiveStartTableName: table.slice(0, -1) }));

      expect(out.TableNames).toContain(table);
    } finally {
      await writer.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
      writer.destroy();
      reader.destroy();
    }
  });
});
