/**
 * The store against a real DynamoDB Local (DYNAMODB_ENDPOINT, default http://127.0.0.1:18000). Every table
 * carries a prefix unique to this run and is deleted afterwards.
 */
import {
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  paginateListTables,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../src/errors';
import {
  type DynamoClients,
  StoreRequestInvalidError,
  StoreTableMissingError,
  type TableDefinition,
  batchGetAll,
  batchWriteAll,
  createDynamoClients,
  ensureTables,
  pingStore,
  withStoreErrors,
  withTablePrefix,
} from '../../src/store';

const endpoint = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';
const prefix = `it-store-${process.pid}-${Date.now().toString(36)}-`;

const tables = withTablePrefix(
  {
    orders: {
      name: 'orders',
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'sk', type: 'S' },
      globalSecondaryIndexes: [{ name: 'by-account', partitionKey: { name: 'accountId', type: 'S' } }],
      ttlAttribute: 'expiresAt',
    },
    items: { name: 'items', partitionKey: { name: 'id', type: 'N' } },
  } satisfies Record<string, TableDefinition>,
  prefix,
);

let clients: DynamoClients;

beforeAll(async () => {
  clients = createDynamoClients({ endpoint, region: 'us-east-1' });
  await ensureTables(clients.client, Object.values(tables), { timeoutMs: 20_000 });
});

afterAll(async () => {
  const { client } = clients;
  for await (const page of paginateListTables({ client }, {})) {
    for (const name of page.TableNames ?? []) {
      if (name.startsWith(prefix)) await client.send(new DeleteTableCommand({ TableName: name }));
    }
  }
  client.destroy();
});

describe('ensureTables against DynamoDB Local', () => {
  it('when tables are missing, then they are created ACTIVE with their keys, index and TTL', async () => {
    const { Table } = await clients.client.send(new DescribeTableCommand({ TableName: tables.orders.name }));
    const ttl = await clients.client.send(new DescribeTimeToLiveCommand({ TableName: tables.orders.name }));

    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['by-account']);
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
  });

  it('when run again on existing tables, then it succeeds without creating anything', async () => {
    const logged: string[] = [];
    const logger = { info: (_obj: object, msg: string) => logged.push(msg) };

    await ensureTables(clients.client, Object.values(tables), { timeoutMs: 10_000, logger });

    expect(logged).toEqual(['DynamoDB tables ready']);
  });

  it('when several processes bootstrap the same new tables at once, then none of them fails', async () => {
    const fresh = withTablePrefix(
      {
        a: { name: 'race-a', partitionKey: { name: 'id', type: 'S' }, ttlAttribute: 'ttl' },
        b: { name: 'race-b', partitionKey: { name: 'id', type: 'S' } },
      },
      prefix,
    );

    const runs = Array.from({ length: 4 }, () =>
      ensureTables(clients.client, Object.values(fresh), { timeoutMs: 20_000 }),
    );

    await expect(Promise.all(runs)).resolves.toHaveLength(4);
    const { Table } = await clients.client.send(new DescribeTableCommand({ TableName: fresh.a.name }));
    expect(Table?.TableStatus).toBe('ACTIVE');
  });

  it('when an existing table has different keys than its definition, then bootstrap fails saying what differs', async () => {
    const drifted: TableDefinition = { ...tables.items, partitionKey: { name: 'itemId', type: 'N' } };

    await expect(ensureTables(clients.client, [drifted], { timeoutMs: 10_000 })).rejects.toMatchObject({
      code: 'STORE.TABLE_MISMATCH',
      message: expect.stringContaining('partition key is "id", the definition says "itemId"') as unknown,
    });
  });
});

describe('store errors against DynamoDB Local', () => {
  const put = (item: Record<string, unknown>) =>
    withStoreErrors(
      () =>
        clients.doc.send(
          new PutCommand({
            TableName: tables.orders.name,
            Item: item,
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      { table: tables.orders.name, operation: 'PutItem' },
    );

  it('when a conditional put finds the item already there, then it fails with a ConflictError', async () => {
    await put({ pk: 'order#1', sk: 'v1', accountId: 'acc-1' });

    const error = await put({ pk: 'order#1', sk: 'v1', accountId: 'acc-2' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'STORE.CONDITION_FAILED', status: 409 });
    const { Item } = await clients.doc.send(
      new GetCommand({ TableName: tables.orders.name, Key: { pk: 'order#1', sk: 'v1' } }),
    );
    expect(Item?.accountId).toBe('acc-1');
  });

  it('when a transaction item fails its condition, then nothing is written and the ConflictError names the item', async () => {
    await put({ pk: 'order#2', sk: 'v1' });

    const error = await withStoreErrors(() =>
      clients.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: tables.orders.name, Item: { pk: 'order#3', sk: 'v1' } } },
            {
              Put: {
                TableName: tables.orders.name,
                Item: { pk: 'order#2', sk: 'v1', overwritten: true },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      ),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'STORE.CONDITION_FAILED', details: { failedIndexes: [1] } });
    const { Item } = await clients.doc.send(
      new GetCommand({ TableName: tables.orders.name, Key: { pk: 'order#3', sk: 'v1' } }),
    );
    expect(Item).toBeUndefined();
  });

  it('when the table does not exist, then the error names the missing table', async () => {
    const missing = `${prefix}never-created`;

    await expect(
      withStoreErrors(() => clients.doc.send(new GetCommand({ TableName: missing, Key: { id: 'x' } })), {
        table: missing,
        operation: 'GetItem',
      }),
    ).rejects.toMatchObject({ constructor: StoreTableMissingError, status: 500, table: missing });
  });

  it('when the request is malformed (a key attribute missing), then it is a 500 with DynamoDB’s reason', async () => {
    const error = await withStoreErrors(() =>
      clients.doc.send(new PutCommand({ TableName: tables.orders.name, Item: { pk: 'order#4' } })),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StoreRequestInvalidError);
    expect(error).toMatchObject({
      status: 500,
      message: expect.stringMatching(/invalid: .*key/i) as unknown,
    });
  });

  it('when the store is up, then pingStore resolves', async () => {
    await expect(pingStore(clients.client)).resolves.toBeUndefined();
  });
});

describe('batch helpers against DynamoDB Local', () => {
  it('when 1,000 items are written in batches, then all 1,000 are read back unchanged', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({
      id: i,
      name: `item-${i}`,
      tags: ['a', `t${i % 7}`],
    }));

    const written = await batchWriteAll(
      clients.doc,
      tables.items,
      items.map((Item) => ({ PutRequest: { Item } })),
    );
    const read = await batchGetAll(
      clients.doc,
      tables.items,
      items.map(({ id }) => ({ id })),
      { consistentRead: true },
    );

    expect(written).toMatchObject({ written: 1000, duplicatesDropped: 0 });
    expect(read.items).toHaveLength(1000);
    expect(read.items.sort((a, b) => Number(a.id) - Number(b.id))).toEqual(items);
  });

  it('when deletes and puts for the same keys are batched together, then the last request per key wins', async () => {
    await batchWriteAll(clients.doc, tables.items, [
      { PutRequest: { Item: { id: 5001, v: 1 } } },
      { PutRequest: { Item: { id: 5002, v: 1 } } },
      { DeleteRequest: { Key: { id: 5001 } } },
      { PutRequest: { Item: { id: 5002, v: 2 } } },
    ]);

    const read = await batchGetAll(clients.doc, tables.items, [{ id: 5001 }, { id: 5002 }], {
      consistentRead: true,
    });

    expect(read.items).toEqual([{ id: 5002, v: 2 }]);
  });
});
