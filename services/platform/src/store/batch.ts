/**
 * Bulk reads and writes. BatchWriteItem takes 25 requests and BatchGetItem 100 keys per call, and either
 * may hand part of the work back (UnprocessedItems / UnprocessedKeys) when throttled or over the response
 * size limit; these helpers chunk, keep a few calls in flight and retry the leftovers with backoff.
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchWriteWriteRequest,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import { type BackoffOptions, backoffDelay, sleep } from '../backoff';
import {
  StoreBatchIncompleteError,
  StoreRequestInvalidError,
  isRetriableStoreError,
  withStoreErrors,
} from './store-errors';
import type { KeyAttribute, TableDefinition } from './tables';

/** A put or a delete, in document-client form (native JS values). */
export type WriteRequest = BatchWriteWriteRequest;
/** A native JS item or key. */
export type Item = Record<string, NativeAttributeValue>;
/** What the helpers need of a table: its name and key attributes (a `TableDefinition` fits). */
export type TableKeys = Pick<TableDefinition, 'name' | 'partitionKey' | 'sortKey'>;
/** Only `send` is used, which lets tests hand in a stub. */
export type DocumentSender = Pick<DynamoDBDocumentClient, 'send'>;

export interface BatchOptions {
  /** Calls in flight at once (default 4). */
  concurrency?: number;
  /** Calls per chunk, the first included, before giving up on its leftovers (default 8). */
  maxAttempts?: number;
  /** Delay between retries of a chunk's leftovers (default 50 ms doubling up to 2 s, full jitter). */
  backoff?: BackoffOptions;
}

export interface BatchWriteResult {
  /** Requests DynamoDB confirmed, after duplicates were dropped. */
  written: number;
  /** Calls that re-sent unprocessed items. */
  retries: number;
  /** Requests dropped because a later request in the input had the same key. */
  duplicatesDropped: number;
}

export interface BatchGetOptions extends BatchOptions {
  consistentRead?: boolean;
}

export interface BatchGetResult<T> {
  /** The items found, in no particular order; keys without an item are simply absent. */
  items: T[];
  retries: number;
}

const WRITE_CHUNK = 25;
const GET_CHUNK = 100;
const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 50, maxMs: 2000 };

/** A string that is equal for two items exactly when their primary keys are equal. */
function keyIdentity(table: TableKeys, item: Item | undefined, index: number): string {
  const part = (attr: KeyAttribute): string => {
    const value: unknown = item?.[attr.name];
    if (typeof value === 'string') return `s${value.length}:${value}`;
    if (typeof value === 'number' || typeof value === 'bigint') return `n:${String(value)}`;
    if (value instanceof Uint8Array) return `b:${Buffer.from(value).toString('base64')}`;
    if (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { value?: unknown }).value === 'string'
    ) {
      return `n:${(value as { value: string }).value}`; // lib-dynamodb's NumberValue
    }
    throw new StoreRequestInvalidError(
      `Batch request ${index} for "${table.name}" has no usable key attribute "${attr.name}".`,
    );
  };
  return table.sortKey === undefined
    ? part(table.partitionKey)
    : `${part(table.partitionKey)}|${part(table.sortKey)}`;
}

/** Keeps the last request per key: BatchWriteItem rejects a call that names one key twice. */
function lastPerKey<T>(table: TableKeys, entries: readonly T[], keyOf: (entry: T) => Item | undefined): T[] {
  const byKey = new Map<string, T>();
  entries.forEach((entry, index) => byKey.set(keyIdentity(table, keyOf(entry), index), entry));
  return [...byKey.values()];
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

interface SendOutcome<T, R> {
  results: R[];
  unprocessed: T[];
}

interface DrainOptions<T, R> extends Required<BatchOptions> {
  chunks: T[][];
  send: (pending: T[]) => Promise<SendOutcome<T, R>>;
  /** "BatchWriteItem on "x"", for messages. */
  what: string;
  total: number;
}

/** Runs every chunk with bounded concurrency, retrying leftovers; on failure stops and reports what is left. */
async function drain<T, R>(opts: DrainOptions<T, R>): Promise<{ results: R[]; retries: number }> {
  const { chunks, send, concurrency, maxAttempts, backoff } = opts;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError('concurrency must be an integer >= 1');
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new RangeError('maxAttempts must be an integer >= 1');
  const results: R[] = [];
  const left: T[] = [];
  const stop = new AbortController();
  const exhausted = new Error('attempts exhausted');
  // An object, not a `let`: TypeScript does not see assignments made inside the workers' closures.
  const state: { retries: number; next: number; failure?: { error: unknown } } = { retries: 0, next: 0 };

  const runChunk = async (pending: T[]): Promise<void> => {
    try {
      for (let attempt = 1; ; attempt += 1) {
        const outcome = await send(pending);
        results.push(...outcome.results);
        pending = outcome.unprocessed;
        if (pending.length === 0) return;
        if (attempt >= maxAttempts) throw exhausted;
        state.retries += 1;
        await sleep(backoffDelay(attempt, backoff), stop.signal);
      }
    } catch (error) {
      left.push(...pending);
      state.failure ??= { error };
      stop.abort();
    }
  };
  const worker = async (): Promise<void> => {
    while (!stop.signal.aborted && state.next < chunks.length) {
      const current = chunks[state.next++];
      if (current !== undefined) await runChunk(current);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));

  const { failure, retries } = state;
  if (failure === undefined) return { results, retries };
  left.push(...chunks.slice(state.next).flat());
  const counts = `${left.length} of ${opts.total} still unprocessed`;
  if (failure.error === exhausted) {
    throw new StoreBatchIncompleteError(
      `${opts.what}: ${counts} after ${maxAttempts} attempts.`,
      left.length,
      left,
    );
  }
  if (isRetriableStoreError(failure.error)) {
    const reason = failure.error instanceof Error ? failure.error.message : String(failure.error);
    throw new StoreBatchIncompleteError(
      `${opts.what}: ${counts} (${reason}).`,
      left.length,
      left,
      failure.error,
    );
  }
  throw failure.error; // a bug (invalid request, missing table): retrying will not help
}

/**
 * Writes every request in calls of 25, `concurrency` at a time, retrying UnprocessedItems with backoff.
 * Requests naming the same key are reduced to the last one (DynamoDB rejects duplicates in one call, and
 * "last wins" is what sequential writes would give). Throws a `StoreBatchIncompleteError` (503, retriable)
 * carrying the requests not confirmed when a chunk runs out of attempts or the store is unavailable.
 */
export async function batchWriteAll(
  doc: DocumentSender,
  table: TableKeys,
  requests: readonly WriteRequest[],
  { concurrency = 4, maxAttempts = 8, backoff = DEFAULT_BACKOFF }: BatchOptions = {},
): Promise<BatchWriteResult> {
  const unique = lastPerKey(table, requests, (r) => r.PutRequest?.Item ?? r.DeleteRequest?.Key);
  const what = `BatchWriteItem on "${table.name}"`;
  const { results, retries } = await drain<WriteRequest, number>({
    chunks: chunk(unique, WRITE_CHUNK),
    concurrency,
    maxAttempts,
    backoff,
    what,
    total: unique.length,
    send: async (pending) => {
      const out = await withStoreErrors(
        () => doc.send(new BatchWriteCommand({ RequestItems: { [table.name]: pending } })),
        { table: table.name, operation: 'BatchWriteItem' },
      );
      const unprocessed = out.UnprocessedItems?.[table.name] ?? [];
      return { results: [pending.length - unprocessed.length], unprocessed };
    },
  });
  const written = results.reduce((sum, n) => sum + n, 0);
  return { written, retries, duplicatesDropped: requests.length - unique.length };
}

/**
 * Reads every key in calls of 100, `concurrency` at a time, retrying UnprocessedKeys with backoff.
 * Duplicate keys are read once. Throws a `StoreBatchIncompleteError` carrying the keys not read when a
 * chunk runs out of attempts or the store is unavailable.
 */
export async function batchGetAll<T extends Item = Item>(
  doc: DocumentSender,
  table: TableKeys,
  keys: readonly Item[],
  { concurrency = 4, maxAttempts = 8, backoff = DEFAULT_BACKOFF, consistentRead }: BatchGetOptions = {},
): Promise<BatchGetResult<T>> {
  const unique = lastPerKey(table, keys, (k) => k);
  const { results, retries } = await drain<Item, T>({
    chunks: chunk(unique, GET_CHUNK),
    concurrency,
    maxAttempts,
    backoff,
    what: `BatchGetItem on "${table.name}"`,
    total: unique.length,
    send: async (pending) => {
      const out = await withStoreErrors(
        () =>
          doc.send(
            new BatchGetCommand({
              RequestItems: {
                [table.name]: {
                  Keys: pending,
                  ...(consistentRead === undefined ? {} : { ConsistentRead: consistentRead }),
                },
              },
            }),
          ),
        { table: table.name, operation: 'BatchGetItem' },
      );
      return {
        results: (out.Responses?.[table.name] ?? []) as T[],
        unprocessed: out.UnprocessedKeys?.[table.name]?.Keys ?? [],
      };
    },
  });
  return { items: results, retries };
}

/** The keys to read from one table, for `batchGetAcrossTables`. */
export interface TableKeyRequest {
  table: TableKeys;
  keys: readonly Item[];
}

/** One key of one table (what a `StoreBatchIncompleteError` of `batchGetAcrossTables` carries). */
export interface TableKey {
  table: string;
  key: Item;
}

export interface BatchGetAcrossResult<T> {
  /** The items found, by table name (every table asked for has an entry); keys without an item are absent. */
  items: Map<string, T[]>;
  retries: number;
}

/**
 * Reads keys of several tables in calls of 100 keys in all (one BatchGetItem names several tables), so a
 * caller needing a few keys of each table pays one call instead of one per table. Otherwise as `batchGetAll`:
 * duplicate keys are read once, UnprocessedKeys are retried with backoff, and a chunk that runs out of
 * attempts (or an unavailable store) throws a `StoreBatchIncompleteError` carrying the `TableKey`s not read.
 */
export async function batchGetAcrossTables<T extends Item = Item>(
  doc: DocumentSender,
  requests: readonly TableKeyRequest[],
  { concurrency = 4, maxAttempts = 8, backoff = DEFAULT_BACKOFF, consistentRead }: BatchGetOptions = {},
): Promise<BatchGetAcrossResult<T>> {
  const items = new Map<string, T[]>(requests.map((r) => [r.table.name, []]));
  const entries = requests.flatMap(({ table, keys }) =>
    lastPerKey(table, keys, (k) => k).map((key): TableKey => ({ table: table.name, key })),
  );
  const names = [...items.keys()].join('", "');
  const { results, retries } = await drain<TableKey, { table: string; item: T }>({
    chunks: chunk(entries, GET_CHUNK),
    concurrency,
    maxAttempts,
    backoff,
    what: `BatchGetItem on "${names}"`,
    total: entries.length,
    send: async (pending) => {
      const keysByTable = new Map<string, Item[]>();
      for (const { table, key } of pending) keysByTable.set(table, [...(keysByTable.get(table) ?? []), key]);
      const out = await withStoreErrors(
        () =>
          doc.send(
            new BatchGetCommand({
              RequestItems: Object.fromEntries(
                [...keysByTable].map(([table, keys]) => [
                  table,
                  { Keys: keys, ...(consistentRead === undefined ? {} : { ConsistentRead: consistentRead }) },
                ]),
              ),
            }),
          ),
        { table: [...keysByTable.keys()].join(','), operation: 'BatchGetItem' },
      );
      return {
        results: Object.entries(out.Responses ?? {}).flatMap(([table, found]) =>
          found.map((item) => ({ table, item: item as T })),
        ),
        unprocessed: Object.entries(out.UnprocessedKeys ?? {}).flatMap(([table, left]) =>
          (left.Keys ?? []).map((key): TableKey => ({ table, key })),
        ),
      };
    },
  });
  for (const { table, item } of results) items.get(table)?.push(item);
  return { items, retries };
}
