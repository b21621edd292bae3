/**
 * The gateway's tables through the document client: consumers and plans (conditional create, versioned
 * update), API key records (conditional create, rotation as one transaction), and the daily usage counters
 * (atomic ADD). Every call goes through `withStoreErrors`, so callers only see platform errors.
 */
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type PutCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError, ValidationError } from '@tradeflow/platform/errors';
import { StoreConflictError, withStoreErrors } from '@tradeflow/platform/store';
import type { z } from 'zod';
import { Consumer, Plan, StoredKey } from '../model';
import { KEYS_BY_CONSUMER_INDEX, type AccessTables } from './tables';

/** Only `send` is used, which lets tests hand in a stub. */
export type DocumentSender = Pick<DynamoDBDocumentClient, 'send'>;

/** One page of a listing and where the next one starts. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Daily usage of a consumer: the shared count of requests on a UTC day. */
export interface UsageRecord {
  consumerId: string;
  day: string;
  count: number;
}

function parseItem<S extends z.ZodType>(schema: S, item: Record<string, unknown>): z.output<S> {
  // Stored items carry their key attributes again; the schemas strip what they do not know.
  return schema.parse(item);
}

/** Encodes DynamoDB's LastEvaluatedKey as an opaque cursor. */
function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key === undefined ? null : Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor, checking it names `attribute`; a 400 otherwise. */
function decodeCursor(cursor: string | undefined, attribute: string): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const invalid = new ValidationError([
    { field: 'cursor', message: 'is not a cursor this listing returned' },
  ]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Object.keys(parsed).length !== 1 ||
    typeof (parsed as Record<string, unknown>)[attribute] !== 'string'
  ) {
    throw invalid;
  }
  return parsed as Record<string, string>;
}

/** Consumers, plans, keys and usage in the gateway's DynamoDB tables. */
export class AccessRepository {
  constructor(
    private readonly doc: DocumentSender,
    readonly tables: AccessTables,
  ) {}

  // --- consumers ---------------------------------------------------------------------------------

  /** The consumer, or undefined. Strongly consistent: an admin change is visible at once. */
  async getConsumer(id: string): Promise<Consumer | undefined> {
    const item = await this.getItem(this.tables.consumers.name, { id });
    return item === undefined ? undefined : parseItem(Consumer, item);
  }

  /** Stores a new consumer; a 409 when the id is taken. */
  async createConsumer(consumer: Consumer): Promise<void> {
    await this.putIf(
      this.tables.consumers.name,
      consumer,
      { ConditionExpression: 'attribute_not_exists(id)' },
      () => new ConflictError(`Consumer ${consumer.id} already exists.`, 'CONSUMER.EXISTS'),
    );
  }

  /** Replaces a consumer whose stored version is `consumer.version - 1`; a 409 when it changed meanwhile. */
  async replaceConsumer(consumer: Consumer): Promise<void> {
    await this.putIf(
      this.tables.consumers.name,
      consumer,
      {
        ConditionExpression: 'version = :previous',
        ExpressionAttributeValues: { ':previous': consumer.version - 1 },
      },
      () =>
        new ConflictError(
          `Consumer ${consumer.id} was changed or deleted concurrently; retry.`,
          'CONSUMER.VERSION_CONFLICT',
        ),
    );
  }

  /** Creates or replaces a consumer whatever is stored (the demo consumer at start). */
  async putConsumer(consumer: Consumer): Promise<void> {
    await this.putItem(this.tables.consumers.name, consumer);
  }

  /** Deletes a consumer; a 404 when there is none. */
  async deleteConsumer(id: string): Promise<void> {
    const table = this.tables.consumers.name;
    await this.conditional(
      () =>
        this.doc.send(
          new DeleteCommand({ TableName: table, Key: { id }, ConditionExpression: 'attribute_exists(id)' }),
        ),
      { table, operation: 'DeleteItem' },
      () => new NotFoundError(`No consumer ${id}.`, 'CONSUMER.NOT_FOUND'),
    );
  }

  /** A page of consumers in no particular order. */
  async listConsumers(limit: number, cursor: string | undefined): Promise<Page<Consumer>> {
    const table = this.tables.consumers.name;
    const out = await withStoreErrors(
      () =>
        this.doc.send(
          new ScanCommand({ TableName: table, Limit: limit, ExclusiveStartKey: decodeCursor(cursor, 'id') }),
        ),
      { table, operation: 'Scan' },
    );
    return {
      items: (out.Items ?? []).map((item) => parseItem(Consumer, item)),
      nextCursor: encodeCursor(out.LastEvaluatedKey),
    };
  }

  // --- plans -------------------------------------------------------------------------------------

  /** The stored plan, or undefined. */
  async getPlan(name: string): Promise<Plan | undefined> {
    const item = await this.getItem(this.tables.plans.name, { name });
    return item === undefined ? undefined : parseItem(Plan, item);
  }

  /** Stores a new plan; a 409 when the name is taken. */
  async createPlan(plan: Plan): Promise<void> {
    await this.putIf(
      this.tables.plans.name,
      plan,
      { ConditionExpression: 'attribute_not_exists(#n)', ExpressionAttributeNames: { '#n': 'name' } },
      () => new ConflictError(`Plan ${plan.name} already exists.`, 'PLAN.EXISTS'),
    );
  }

  /** Replaces a plan last updated at `previousUpdatedAt`; a 409 when it changed meanwhile. */
  async replacePlan(plan: Plan, previousUpdatedAt: string): Promise<void> {
    await this.putIf(
      this.tables.plans.name,
      plan,
      {
        ConditionExpression: 'updatedAt = :previous',
        ExpressionAttributeValues: { ':previous': previousUpdatedAt },
      },
      () => new ConflictError(`Plan ${plan.name} was changed concurrently; retry.`, 'PLAN.VERSION_CONFLICT'),
    );
  }

  /** Creates or replaces a plan whatever is stored (the demo plan at start). */
  async putPlan(plan: Plan): Promise<void> {
    await this.putItem(this.tables.plans.name, plan);
  }

  /** Every stored plan (plans are few: an operator's catalogue). */
  async listPlans(): Promise<Plan[]> {
    const table = this.tables.plans.name;
    const plans = await this.readAll(Plan, { table, operation: 'Scan' }, (start) =>
      this.doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start })),
    );
    return plans.sort((a, b) => a.name.localeCompare(b.name));
  }

  // --- keys --------------------------------------------------------------------------------------

  /** The key record, or undefined. Strongly consistent: a revocation is seen by the next lookup. */
  async getKey(keyId: string): Promise<StoredKey | undefined> {
    const item = await this.getItem(this.tables.keys.name, { keyId });
    return item === undefined ? undefined : parseItem(StoredKey, item);
  }

  /** Stores a new key record; a 409 when the key id is taken. */
  async createKey(key: StoredKey): Promise<void> {
    await this.putIf(
      this.tables.keys.name,
      key,
      { ConditionExpression: 'attribute_not_exists(keyId)' },
      () => new ConflictError(`Key ${key.keyId} already exists.`, 'KEY.EXISTS'),
    );
  }

  /** Creates or replaces a key record whatever is stored (the demo key at start). */
  async putKey(key: StoredKey): Promise<void> {
    await this.putItem(this.tables.keys.name, key);
  }

  /** Every key record of a consumer, oldest first. */
  async listKeys(consumerId: string): Promise<StoredKey[]> {
    const table = this.tables.keys.name;
    return this.readAll(StoredKey, { table, operation: 'Query' }, (start) =>
      this.doc.send(
        new QueryCommand({
          TableName: table,
          IndexName: KEYS_BY_CONSUMER_INDEX,
          KeyConditionExpression: 'consumerId = :c',
          ExpressionAttributeValues: { ':c': consumerId },
          ExclusiveStartKey: start,
        }),
      ),
    );
  }

  /** Marks a key of `consumerId` revoked at `at`; a 404 when the consumer has no such key. */
  async revokeKey(consumerId: string, keyId: string, at: string): Promise<StoredKey> {
    const table = this.tables.keys.name;
    const out = await this.conditional(
      () =>
        this.doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { keyId },
            UpdateExpression: 'SET #s = :revoked, revokedAt = if_not_exists(revokedAt, :at)',
            ConditionExpression: 'consumerId = :c',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':revoked': 'revoked', ':at': at, ':c': consumerId },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      { table, operation: 'UpdateItem' },
      () => keyNotFound(consumerId, keyId),
    );
    return parseItem(StoredKey, out.Attributes ?? {});
  }

  /**
   * Rotation in one transaction: stores `next` and marks `previous` replaced (revoked at once, or expiring
   * at `expiresAt`). Fails with a 409 when `previous` was revoked or rotated meanwhile.
   */
  async rotateKey(
    previous: StoredKey,
    next: StoredKey,
    at: string,
    expiresAt: string | undefined,
  ): Promise<void> {
    const table = this.tables.keys.name;
    const update =
      expiresAt === undefined
        ? {
            UpdateExpression: 'SET #s = :revoked, revokedAt = :at, rotatedAt = :at, replacedBy = :next',
            ExpressionAttributeValues: {
              ':revoked': 'revoked',
              ':at': at,
              ':next': next.keyId,
              ':active': 'active',
              ':c': previous.consumerId,
            },
          }
        : {
            UpdateExpression: 'SET rotatedAt = :at, replacedBy = :next, expiresAt = :exp',
            ExpressionAttributeValues: {
              ':at': at,
              ':next': next.keyId,
              ':exp': expiresAt,
              ':active': 'active',
              ':c': previous.consumerId,
            },
          };
    await this.conditional(
      () =>
        this.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: table, Item: next, ConditionExpression: 'attribute_not_exists(keyId)' } },
              {
                Update: {
                  TableName: table,
                  Key: { keyId: previous.keyId },
                  ConditionExpression:
                    'consumerId = :c AND #s = :active AND attribute_not_exists(replacedBy)',
                  ExpressionAttributeNames: { '#s': 'status' },
                  ...update,
                },
              },
            ],
          }),
        ),
      { table, operation: 'TransactWriteItems' },
      () =>
        new ConflictError(
          `Key ${previous.keyId} was revoked or rotated meanwhile; only an active key that was not rotated can be rotated.`,
          'KEY.NOT_ROTATABLE',
        ),
    );
  }

  // --- usage -------------------------------------------------------------------------------------

  /**
   * Adds `count` requests to a consumer's day atomically and returns the new shared total (what every
   * replica has added so far). `expiresAt` (epoch seconds) lets TTL remove the counter later.
   */
  async addUsage(consumerId: string, day: string, count: number, expiresAt: number): Promise<number> {
    const table = this.tables.usage.name;
    const out = await withStoreErrors(
      () =>
        this.doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { consumerId, day },
            UpdateExpression: 'ADD #n :count SET expiresAt = :exp',
            ExpressionAttributeNames: { '#n': 'count' },
            ExpressionAttributeValues: { ':count': count, ':exp': expiresAt },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      { table, operation: 'UpdateItem' },
    );
    const total = (out.Attributes as { count?: unknown } | undefined)?.count;
    return typeof total === 'number' ? total : count;
  }

  /** The shared count of a consumer's day (0 when nothing was counted yet). */
  async getUsage(consumerId: string, day: string): Promise<number> {
    const count = (await this.getItem(this.tables.usage.name, { consumerId, day }))?.count;
    return typeof count === 'number' ? count : 0;
  }

  /** One item by key, strongly consistent (what every lookup here needs), or undefined. */
  private async getItem(
    table: string,
    key: Record<string, string>,
  ): Promise<Record<string, unknown> | undefined> {
    const out = await withStoreErrors(
      () => this.doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true })),
      { table, operation: 'GetItem' },
    );
    return out.Item;
  }

  /** Creates or replaces an item whatever is stored. */
  private async putItem(table: string, item: object): Promise<void> {
    await withStoreErrors(() => this.doc.send(new PutCommand({ TableName: table, Item: item })), {
      table,
      operation: 'PutItem',
    });
  }

  /** Puts an item only when `condition` holds; otherwise throws `onConflict()`. */
  private async putIf(
    table: string,
    item: object,
    condition: Pick<
      PutCommandInput,
      'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
    onConflict: () => Error,
  ): Promise<void> {
    await this.conditional(
      () => this.doc.send(new PutCommand({ TableName: table, Item: item, ...condition })),
      { table, operation: 'PutItem' },
      onConflict,
    );
  }

  /** Every page of a Scan or Query (`page` reads the one starting at `start`), each item parsed by `schema`. */
  private async readAll<S extends z.ZodType>(
    schema: S,
    ctx: { table: string; operation: 'Scan' | 'Query' },
    page: (start: Record<string, unknown> | undefined) => Promise<{
      Items?: Record<string, unknown>[];
      LastEvaluatedKey?: Record<string, unknown>;
    }>,
  ): Promise<z.output<S>[]> {
    const items: z.output<S>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await withStoreErrors(() => page(start), ctx);
      items.push(...(out.Items ?? []).map((item) => parseItem(schema, item)));
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  /** Runs a conditional write; a failed condition becomes `onConflict()` instead of the generic 409. */
  private async conditional<T>(
    fn: () => Promise<T>,
    ctx: { table: string; operation: string },
    onConflict: () => Error,
  ): Promise<T> {
    try {
      return await withStoreErrors(fn, ctx);
    } catch (err) {
      if (err instanceof StoreConflictError) throw onConflict();
      throw err;
    }
  }
}

/** The 404 of a key a consumer does not have (another consumer's key id answers the same). */
export function keyNotFound(consumerId: string, keyId: string): NotFoundError {
  return new NotFoundError(`Consumer ${consumerId} has no key ${keyId}.`, 'KEY.NOT_FOUND');
}
