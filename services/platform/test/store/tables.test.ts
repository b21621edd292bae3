import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type TableDefinition, ensureTables, toCreateTableInput, withTablePrefix } from '../../src/store';

const trades: TableDefinition = {
  name: 'trades',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    {
      name: 'by-account',
      partitionKey: { name: 'accountId', type: 'S' },
      sortKey: { name: 'sk', type: 'S' },
    },
    {
      name: 'by-time',
      partitionKey: { name: 'day', type: 'S' },
      sortKey: { name: 'at', type: 'N' },
      projection: 'KEYS_ONLY',
    },
  ],
  ttlAttribute: 'expiresAt',
};

describe('toCreateTableInput', () => {
  it('when a table has indexes, then every key attribute is defined exactly once and billing is on demand', () => {
    const input = toCreateTableInput(trades);

    expect(input).toMatchObject({
      TableName: 'trades',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
    expect(input.AttributeDefinitions).toEqual([
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'accountId', AttributeType: 'S' },
      { AttributeName: 'day', AttributeType: 'S' },
      { AttributeName: 'at', AttributeType: 'N' },
    ]);
    expect(input.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.ProjectionType])).toEqual([
      ['by-account', 'ALL'],
      ['by-time', 'KEYS_ONLY'],
    ]);
  });

  it('when one attribute is declared with two types, then the definition is rejected naming it', () => {
    const bad: TableDefinition = {
      name: 'bad-table',
      partitionKey: { name: 'pk', type: 'S' },
      globalSecondaryIndexes: [{ name: 'by-pk', partitionKey: { name: 'pk', type: 'N' } }],
    };

    expect(() => toCreateTableInput(bad)).toThrow('attribute "pk" is declared as both S and N');
  });

  it('when a table name is not a valid DynamoDB name, then the definition is rejected', () => {
    expect(() => toCreateTableInput({ ...trades, name: 'ab' })).toThrow(/3-255 letters/);
    expect(() => toCreateTableInput({ ...trades, name: 'trades/v2' })).toThrow(/3-255 letters/);
  });
});

describe('withTablePrefix', () => {
  it('when a prefix is given, then every table name starts with it and nothing else changes', () => {
    const tables = withTablePrefix(
      { trades, audit: { name: 'audit', partitionKey: { name: 'id', type: 'S' } } },
      'dev-',
    );

    expect(tables.trades).toEqual({ ...trades, name: 'dev-trades' });
    expect(tables.audit.name).toBe('dev-audit');
    expect(trades.name).toBe('trades');
  });

  it('when the prefix has characters DynamoDB does not allow, then it is rejected', () => {
    expect(() => withTablePrefix({ trades }, 'dev/')).toThrow('Table prefix "dev/"');
  });
});

describe('ensureTables', () => {
  it('when a definition is malformed, then it fails before any request reaches DynamoDB', async () => {
    const send = jest.fn();
    const client = { send } as unknown as DynamoDBClient;

    await expect(
      ensureTables(client, [trades, { ...trades, name: 'x' }], { timeoutMs: 1000 }),
    ).rejects.toMatchObject({ code: 'STORE.TABLE_DEFINITION_INVALID' });
    expect(send).not.toHaveBeenCalled();
  });

  it('when two definitions share a name, then it fails before any request reaches DynamoDB', async () => {
    const send = jest.fn();
    const client = { send } as unknown as DynamoDBClient;

    await expect(ensureTables(client, [trades, trades], { timeoutMs: 1000 })).rejects.toThrow(
      'Duplicate table names',
    );
    expect(send).not.toHaveBeenCalled();
  });
});
