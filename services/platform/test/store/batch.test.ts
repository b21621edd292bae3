import { DynamoDBServiceException, ThrottlingException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { UnavailableError } from '../../src/errors';
import {
  type DocumentSender,
  type Item,
  StoreBatchIncompleteError,
  StoreRequestInvalidError,
  type TableKeys,
  type WriteRequest,
  batchGetAcrossTables,
  batchGetAll,
  batchWriteAll,
} from '../../src/store';

const table: TableKeys = { name: 'stub-orders', partitionKey: { name: 'pk', type: 'S' } };
const fast = { baseMs: 1, maxMs: 2 };

const puts = (n: number, from = 0): WriteRequest[] =>
  Array.from({ length: n }, (_, i) => ({ PutRequest: { Item: { pk: `k${from + i}`, n: from + i } } }));

type Reply = (requests: WriteRequest[]) => Promise<Partial<BatchWriteCommandOutput>>;

/** A document client whose BatchWriteItem answers come from `reply`; records every call's requests. */
function stubWriter(reply: Reply): { doc: DocumentSender; calls: WriteRequest[][] } {
  const calls: WriteRequest[][] = [];
  const send = (command: unknown): Promise<unknown> => {
    if (!(command instanceof BatchWriteCommand)) throw new Error('unexpected command');
    const requests = command.input.RequestItems?.[table.name] ?? [];
    calls.push(requests);
    return reply(requests);
  };
  return { doc: { send } as DocumentSender, calls };
}

const processedAll: Reply = () => Promise.resolve({ UnprocessedItems: {} });

describe('batchWriteAll', () => {
  it('when DynamoDB returns UnprocessedItems twice then succeeds, then only the leftovers are re-sent and all are written', async () => {
    let call = 0;
    const { doc, calls } = stubWriter((requests) => {
      call += 1;
      // Hand back the last 10, then the last 3, then take everything.
      const keep = call === 1 ? 10 : call === 2 ? 3 : 0;
      return Promise.resolve({ UnprocessedItems: keep ? { [table.name]: requests.slice(-keep) } : {} });
    });

    const result = await batchWriteAll(doc, table, puts(20), { backoff: fast });

    expect(result).toEqual({ written: 20, retries: 2, duplicatesDropped: 0 });
    expect(calls.map((c) => c.length)).toEqual([20, 10, 3]);
    expect(calls[2]).toEqual(puts(20).slice(-3));
  });

  it('when 160 requests are given, then they go in calls of at most 25 with no more than `concurrency` in flight', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const { doc, calls } = stubWriter(async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return {};
    });

    const result = await batchWriteAll(doc, table, puts(160), { concurrency: 2 });

    expect(result.written).toBe(160);
    expect(calls.map((c) => c.length)).toEqual([25, 25, 25, 25, 25, 25, 10]);
    expect(maxInFlight).toBe(2);
  });

  it('when two requests name the same key, then only the last is sent (DynamoDB rejects duplicates in one call)', async () => {
    const { doc, calls } = stubWriter(processedAll);
    const requests: WriteRequest[] = [
      { PutRequest: { Item: { pk: 'a', v: 1 } } },
      { PutRequest: { Item: { pk: 'b', v: 1 } } },
      { DeleteRequest: { Key: { pk: 'a' } } },
      { PutRequest: { Item: { pk: 'a', v: 3 } } },
    ];

    const result = await batchWriteAll(doc, table, requests);

    expect(result).toEqual({ written: 2, retries: 0, duplicatesDropped: 2 });
    expect(calls[0]).toEqual([
      { PutRequest: { Item: { pk: 'a', v: 3 } } },
      { PutRequest: { Item: { pk: 'b', v: 1 } } },
    ]);
  });

  it('when the table has a sort key, then items differing only in the sort key are not duplicates', async () => {
    const { doc, calls } = stubWriter(processedAll);
    const sorted: TableKeys = { ...table, sortKey: { name: 'sk', type: 'N' } };

    const result = await batchWriteAll(doc, sorted, [
      { PutRequest: { Item: { pk: 'a', sk: 1 } } },
      { PutRequest: { Item: { pk: 'a', sk: 2 } } },
    ]);

    expect(result.duplicatesDropped).toBe(0);
    expect(calls[0]).toHaveLength(2);
  });

  it('when a request lacks a key attribute, then a 500 invalid-request error is thrown before anything is sent', async () => {
    const { doc, calls } = stubWriter(processedAll);

    await expect(
      batchWriteAll(doc, table, [...puts(3), { PutRequest: { Item: { id: 'x' } } }]),
    ).rejects.toThrow(StoreRequestInvalidError);
    expect(calls).toHaveLength(0);
  });

  it('when items stay unprocessed after maxAttempts, then an UnavailableError says how many remain and carries them', async () => {
    const { doc, calls } = stubWriter((requests) =>
      Promise.resolve({ UnprocessedItems: { [table.name]: requests.slice(0, 4) } }),
    );

    const error = await batchWriteAll(doc, table, puts(10), { maxAttempts: 3, backoff: fast }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toBeInstanceOf(StoreBatchIncompleteError);
    const incomplete = error as StoreBatchIncompleteError<WriteRequest>;
    expect(incomplete).toMatchObject({ remaining: 4, retriable: true, details: { remaining: 4 } });
    expect(incomplete.message).toContain('4 of 10 still unprocessed after 3 attempts');
    expect(incomplete.unprocessed).toEqual(puts(4));
    expect(calls).toHaveLength(3);
  });

  it('when the store stays throttled, then the chunks not yet written are reported and no new chunk is started', async () => {
    const { doc, calls } = stubWriter((requests) =>
      requests[0]?.PutRequest?.Item?.pk === 'k25'
        ? Promise.reject(new ThrottlingException({ $metadata: {}, message: 'Rate exceeded' }))
        : Promise.resolve({}),
    );

    const error = await batchWriteAll(doc, table, puts(100), { concurrency: 1 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StoreBatchIncompleteError);
    expect(error).toMatchObject({
      remaining: 75,
      cause: { code: 'STORE.UNAVAILABLE', cause: { name: 'ThrottlingException' } },
    });
    expect(calls).toHaveLength(2);
  });

  it('when DynamoDB rejects a call as invalid, then that 500 error is thrown as is (retrying cannot help)', async () => {
    const invalid = new DynamoDBServiceException({
      name: 'ValidationException',
      $fault: 'client',
      message: 'Item size has exceeded the maximum allowed size',
      $metadata: {},
    });
    const { doc } = stubWriter(() => Promise.reject(invalid));

    await expect(batchWriteAll(doc, table, puts(3))).rejects.toMatchObject({
      code: 'STORE.INVALID_REQUEST',
      status: 500,
    });
  });

  it('when there is nothing to write, then no call is made', async () => {
    const { doc, calls } = stubWriter(processedAll);

    await expect(batchWriteAll(doc, table, [])).resolves.toEqual({
      written: 0,
      retries: 0,
      duplicatesDropped: 0,
    });
    expect(calls).toHaveLength(0);
  });
});

describe('batchGetAll', () => {
  /** Answers BatchGetItem from `stored`, handing back the first `unprocessed(call)` keys of each call. */
  function stubReader(
    stored: Map<string, Item>,
    unprocessed: (call: number) => number,
  ): { doc: DocumentSender; calls: Item[][] } {
    const calls: Item[][] = [];
    const send = (command: unknown): Promise<Partial<BatchGetCommandOutput>> => {
      if (!(command instanceof BatchGetCommand)) throw new Error('unexpected command');
      const keys = command.input.RequestItems?.[table.name]?.Keys ?? [];
      calls.push(keys);
      const back = unprocessed(calls.length);
      const served = keys.slice(back).flatMap((k) => {
        const item = stored.get(String(k.pk));
        return item === undefined ? [] : [item];
      });
      return Promise.resolve({
        Responses: { [table.name]: served },
        UnprocessedKeys: back > 0 ? { [table.name]: { Keys: keys.slice(0, back) } } : {},
      });
    };
    return { doc: { send } as DocumentSender, calls };
  }

  const stored = new Map(Array.from({ length: 250 }, (_, i) => [`k${i}`, { pk: `k${i}`, n: i }]));
  const keys = (n: number): Item[] => Array.from({ length: n }, (_, i) => ({ pk: `k${i}` }));

  it('when DynamoDB returns UnprocessedKeys twice then succeeds, then every item is returned', async () => {
    const { doc, calls } = stubReader(stored, (call) => (call === 1 ? 30 : call === 2 ? 5 : 0));

    const result = await batchGetAll(doc, table, keys(80), { backoff: fast });

    expect(result.retries).toBe(2);
    expect(result.items.map((i) => Number(i.n)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 80 }, (_, i) => i),
    );
    expect(calls.map((c) => c.length)).toEqual([80, 30, 5]);
  });

  it('when 250 keys (some repeated, some absent) are asked for, then calls carry at most 100 keys each', async () => {
    const { doc, calls } = stubReader(stored, () => 0);

    const result = await batchGetAll(doc, table, [...keys(250), { pk: 'k1' }, { pk: 'missing' }]);

    expect(calls.map((c) => c.length)).toEqual([100, 100, 51]);
    expect(result.items).toHaveLength(250);
  });

  it('when keys stay unprocessed after maxAttempts, then an UnavailableError carries the keys not read', async () => {
    const { doc } = stubReader(stored, () => 2);

    const error = await batchGetAll(doc, table, keys(5), { maxAttempts: 2, backoff: fast }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(StoreBatchIncompleteError);
    expect(error).toMatchObject({ remaining: 2, unprocessed: [{ pk: 'k0' }, { pk: 'k1' }] });
  });
});

describe('batchGetAcrossTables', () => {
  const buckets: TableKeys = { name: 'stub-buckets', partitionKey: { name: 'bucket', type: 'S' } };
  const totals: TableKeys = { name: 'stub-totals', partitionKey: { name: 'dayKey', type: 'S' } };
  const keyOf = (name: string, key: Item) => String(name === buckets.name ? key.bucket : key.dayKey);

  /** Answers BatchGetItem over both tables from `stored`, handing back the first `unprocessed(call)` keys of each table. */
  function stubReader(stored: Map<string, Item>, unprocessed: (call: number) => number) {
    const calls: Record<string, Item[]>[] = [];
    const send = (command: unknown): Promise<Partial<BatchGetCommandOutput>> => {
      if (!(command instanceof BatchGetCommand)) throw new Error('unexpected command');
      const asked = Object.fromEntries(
        Object.entries(command.input.RequestItems ?? {}).map(([name, r]) => [name, r.Keys ?? []]),
      );
      calls.push(asked);
      const back = unprocessed(calls.length);
      const responses: Record<string, Item[]> = {};
      const left: Record<string, { Keys: Item[] }> = {};
      for (const [name, keys] of Object.entries(asked)) {
        responses[name] = keys.slice(back).flatMap((k) => {
          const item = stored.get(`${name}/${keyOf(name, k)}`);
          return item === undefined ? [] : [item];
        });
        if (back > 0 && keys.length > 0) left[name] = { Keys: keys.slice(0, back) };
      }
      return Promise.resolve({ Responses: responses, UnprocessedKeys: left });
    };
    return { doc: { send } as DocumentSender, calls };
  }

  const stored = new Map<string, Item>([
    ...Array.from({ length: 150 }, (_, i): [string, Item] => [
      `${buckets.name}/b${i}`,
      { bucket: `b${i}`, n: i },
    ]),
    ...Array.from({ length: 10 }, (_, i): [string, Item] => [
      `${totals.name}/d${i}`,
      { dayKey: `d${i}`, n: i },
    ]),
  ]);
  const bucketKeys = (n: number) => Array.from({ length: n }, (_, i) => ({ bucket: `b${i}` }));
  const dayKeys = (n: number) => Array.from({ length: n }, (_, i) => ({ dayKey: `d${i}` }));
  const numbers = (items: Item[] | undefined) => (items ?? []).map((i) => Number(i.n)).sort((a, b) => a - b);

  it('when keys of two tables fit in one call, then one BatchGetItem names both tables and the items come back by table', async () => {
    const { doc, calls } = stubReader(stored, () => 0);

    const result = await batchGetAcrossTables(
      doc,
      [
        { table: buckets, keys: [...bucketKeys(30), { bucket: 'b1' }, { bucket: 'missing' }] },
        { table: totals, keys: dayKeys(5) },
      ],
      { consistentRead: true },
    );

    expect(calls).toHaveLength(1);
    expect(Object.keys(calls[0] ?? {}).sort()).toEqual([buckets.name, totals.name]);
    expect(calls[0]?.[buckets.name]).toHaveLength(31);
    expect(numbers(result.items.get(buckets.name))).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(numbers(result.items.get(totals.name))).toEqual([0, 1, 2, 3, 4]);
  });

  it('when DynamoDB hands keys of both tables back twice, then only those are asked again and every item is returned', async () => {
    const { doc, calls } = stubReader(stored, (call) => (call === 1 ? 4 : call === 2 ? 1 : 0));

    const result = await batchGetAcrossTables(
      doc,
      [
        { table: buckets, keys: bucketKeys(20) },
        { table: totals, keys: dayKeys(6) },
      ],
      { backoff: fast },
    );

    expect(result.retries).toBe(2);
    expect(calls.map((c) => [c[buckets.name]?.length, c[totals.name]?.length])).toEqual([
      [20, 6],
      [4, 4],
      [1, 1],
    ]);
    expect(numbers(result.items.get(buckets.name))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(numbers(result.items.get(totals.name))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('when more than 100 keys are asked for across the tables, then each call carries at most 100 in all', async () => {
    const { doc, calls } = stubReader(stored, () => 0);

    const result = await batchGetAcrossTables(doc, [
      { table: buckets, keys: bucketKeys(150) },
      { table: totals, keys: dayKeys(10) },
    ]);

    expect(calls.map((c) => Object.values(c).reduce((n, keys) => n + keys.length, 0))).toEqual([100, 60]);
    expect(result.items.get(buckets.name)).toHaveLength(150);
    expect(result.items.get(totals.name)).toHaveLength(10);
  });

  it('when keys stay unprocessed after maxAttempts, then an UnavailableError carries each key with its table', async () => {
    const { doc } = stubReader(stored, () => 1);

    const error = await batchGetAcrossTables(
      doc,
      [
        { table: buckets, keys: bucketKeys(3) },
        { table: totals, keys: dayKeys(2) },
      ],
      { maxAttempts: 2, backoff: fast },
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StoreBatchIncompleteError);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({
      remaining: 2,
      unprocessed: [
        { table: buckets.name, key: { bucket: 'b0' } },
        { table: totals.name, key: { dayKey: 'd0' } },
      ],
    });
  });
});
