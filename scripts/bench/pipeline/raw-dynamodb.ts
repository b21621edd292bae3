/**
 * The store's ceiling on this machine: BatchWriteItem items/s into a throwaway table on the same DynamoDB
 * Local, with the services' own client (createDynamoClients, same pool and timeouts) and their batch helper
 * (batchWriteAll: 25-item calls, a few in flight, unprocessed items retried). Items look like a stored trade.
 */
import { CreateTableCommand, DeleteTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { batchWriteAll, createDynamoClients, type Item } from '@tradeflow/platform/store';
import { benchTradeFields } from './bench-trade';

export interface RawDynamoOptions {
  endpoint: string;
  runId: string;
  /** Calls in flight (default 4, batchWriteAll's default and what the services use). */
  writers?: number;
  /** How long to keep writing, after a warm-up (default 8 s). */
  durationMs?: number;
}

export interface RawDynamoResult {
  items: number;
  seconds: number;
  itemsPerSecond: number;
  writers: number;
  retries: number;
}

const CHUNK = 2_500;

/** A stored trade's attributes (the trades table's item), with a unique key. */
function tradeItem(run: string, n: number): Item {
  const now = new Date().toISOString();
  return {
    tradeId: `${run}-${n.toString(36).padStart(8, '0')}`,
    accountId: `BENCH-${n % 16}`,
    ...benchTradeFields(n, now),
    status: 'RECEIVED',
    version: 1,
    failures: [],
    updatedAt: now,
    channel: 'single',
    clientTradeId: `bench-${n}`,
    accountTime: `${now}#${run}-${n}`,
  };
}

/** Measures BatchWriteItem throughput; creates and deletes its own table. */
export async function measureRawDynamo(options: RawDynamoOptions): Promise<RawDynamoResult> {
  const writers = options.writers ?? 4;
  const durationMs = options.durationMs ?? 8_000;
  const { client, doc } = createDynamoClients({ endpoint: options.endpoint, region: 'us-east-1' });
  const table = {
    name: `bench-raw-${options.runId.toLowerCase()}`,
    partitionKey: { name: 'tradeId', type: 'S' as const },
  };
  await client.send(
    new CreateTableCommand({
      TableName: table.name,
      AttributeDefinitions: [{ AttributeName: 'tradeId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'tradeId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  try {
    await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: table.name });
    let n = 0;
    const chunk = (size: number) =>
      Array.from({ length: size }, () => ({ PutRequest: { Item: tradeItem(options.runId, n++) } }));
    // Warm-up: connections, JIT, the table's first pages.
    await batchWriteAll(doc, table, chunk(1_000), { concurrency: writers });
    let items = 0;
    let retries = 0;
    const began = performance.now();
    while (performance.now() - began < durationMs) {
      const result = await batchWriteAll(doc, table, chunk(CHUNK), { concurrency: writers });
      items += result.written;
      retries += result.retries;
    }
    const seconds = (performance.now() - began) / 1000;
    return { items, seconds, itemsPerSecond: items / seconds, writers, retries };
  } finally {
    await client.send(new DeleteTableCommand({ TableName: table.name })).catch(() => undefined);
    client.destroy();
  }
}
