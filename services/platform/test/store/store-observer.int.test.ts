/**
 * Every DynamoDB call of a client built with an observer is reported: its latency by operation, table and
 * outcome, and exactly the items it wrote. Against a real DynamoDB Local (DYNAMODB_ENDPOINT), tables with a
 * prefix unique to this run, deleted afterwards.
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  batchWriteAll,
  createDynamoClients,
  ensureTables,
  itemsWritten,
  withTablePrefix,
  type DynamoClients,
  type StoreCallOutcome,
  type StoreObserver,
  type TableDefinition,
} from '../../src/store';

const endpoint = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';
const prefix = `it-store-observer-${process.pid}-${Date.now().toString(36)}-`;
const tables = withTablePrefix(
  {
    a: { name: 'a', partitionKey: { name: 'id', type: 'S' } },
    b: { name: 'b', partitionKey: { name: 'id', type: 'S' } },
  } satisfies Record<string, TableDefinition>,
  prefix,
);

/** Records what the store reports. */
class RecordingStoreObserver implements StoreObserver {
  calls: { operation: string; table: string; seconds: number; outcome: StoreCallOutcome }[] = [];
  writes = new Map<string, number>();
  called(operation: string, table: string, seconds: number, outcome: StoreCallOutcome): void {
    this.calls.push({ operation, table, seconds, outcome });
  }
  itemsWritten(table: string, count: number): void {
    this.writes.set(table, (this.writes.get(table) ?? 0) + count);
  }
  reset(): void {
    this.calls = [];
    this.writes.clear();
  }
}

const observer = new RecordingStoreObserver();
let clients: DynamoClients;

beforeAll(async () => {
  clients = createDynamoClients({ endpoint, region: 'us-east-1', observer });
  await ensureTables(clients.client, Object.values(tables), { timeoutMs: 20_000 });
});

afterAll(async () => {
  for (const table of Object.values(tables)) {
    await clients.client.send(new DeleteTableCommand({ TableName: table.name })).catch(() => undefined);
  }
  clients.client.destroy();
});

beforeEach(() => observer.reset());

describe('a store client with an observer', () => {
  it('when single items are put, updated and read, then each call is timed by operation and table and each write counts once', async () => {
    await clients.doc.send(new PutCommand({ TableName: tables.a.name, Item: { id: '1', n: 1 } }));
    await clients.doc.send(
      new UpdateCommand({
        TableName: tables.a.name,
        Key: { id: '1' },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': 2 },
      }),
    );
    await clients.doc.send(new GetCommand({ TableName: tables.a.name, Key: { id: '1' } }));

    expect(observer.calls.map(({ operation, table, outcome }) => [operation, table, outcome])).toEqual([
      ['PutItem', tables.a.name, 'success'],
      ['UpdateItem', tables.a.name, 'success'],
      ['GetItem', tables.a.name, 'success'],
    ]);
    expect(observer.calls.every((c) => c.seconds > 0 && c.seconds < 10)).toBe(true);
    expect([...observer.writes]).toEqual([[tables.a.name, 2]]);
  });

  it('when a conditional put fails its condition, then the call says so and nothing counts as written', async () => {
    await clients.doc.send(new PutCommand({ TableName: tables.a.name, Item: { id: 'c' } }));
    observer.reset();

    await expect(
      clients.doc.send(
        new PutCommand({
          TableName: tables.a.name,
          Item: { id: 'c' },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      ),
    ).rejects.toThrow();

    expect(observer.calls.map((c) => [c.operation, c.outcome])).toEqual([
      ['PutItem', 'conditional_check_failed'],
    ]);
    expect(observer.writes.size).toBe(0);
  });

  it('when 60 items are batch-written, then 60 writes count, however many calls it took', async () => {
    const items = Array.from({ length: 60 }, (_, i) => ({ PutRequest: { Item: { id: `batch-${i}` } } }));

    await batchWriteAll(clients.doc, tables.b, items);

    expect(observer.writes.get(tables.b.name)).toBe(60);
    const calls = observer.calls.filter((c) => c.operation === 'BatchWriteItem');
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.every((c) => c.table === tables.b.name && c.outcome === 'success')).toBe(true);
  });

  it('when a transaction writes to two tables next to a condition check, then each table counts its writes and the check none', async () => {
    await clients.doc.send(new PutCommand({ TableName: tables.b.name, Item: { id: 'guard' } }));
    observer.reset();

    await clients.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tables.a.name, Item: { id: 't1' } } },
          { Put: { TableName: tables.a.name, Item: { id: 't2' } } },
          { Delete: { TableName: tables.b.name, Key: { id: 'batch-0' } } },
          {
            ConditionCheck: {
              TableName: tables.b.name,
              Key: { id: 'guard' },
              ConditionExpression: 'attribute_exists(id)',
            },
          },
        ],
      }),
    );

    expect(observer.calls.map((c) => [c.operation, c.table, c.outcome])).toEqual([
      ['TransactWriteItems', [tables.a.name, tables.b.name].sort().join(','), 'success'],
    ]);
    expect(observer.writes.get(tables.a.name)).toBe(2);
    expect(observer.writes.get(tables.b.name)).toBe(1);
  });
});

describe('itemsWritten', () => {
  it('when a batch write hands items back unprocessed, then only the processed ones count', () => {
    const request = (id: string) => ({ PutRequest: { Item: { id } } });
    const counts = itemsWritten(
      'BatchWriteItem',
      { RequestItems: { x: [request('1'), request('2'), request('3')], y: [request('4')] } },
      { UnprocessedItems: { x: [request('3')] } },
    );

    expect([...counts]).toEqual([
      ['x', 2],
      ['y', 1],
    ]);
  });

  it('when a call only reads, then nothing counts as written', () => {
    expect(itemsWritten('Query', { TableName: 'x' }, {}).size).toBe(0);
    expect(itemsWritten('TransactGetItems', { TransactItems: [{ Get: { TableName: 'x' } }] }, {}).size).toBe(
      0,
    );
  });
});
