import {
  Account,
  FxRate,
  Instrument,
  Market,
  ReferencePrice,
  RestrictedEntry,
  type ReferenceKind,
} from '@tradeflow/contracts';
import { ConflictError } from '@tradeflow/platform/errors';
import {
  batchGetAll,
  batchWriteAll,
  StoreConflictError,
  withStoreErrors,
  type BatchWriteResult,
  type DocumentSender,
  type TableKeys,
} from '@tradeflow/platform/store';
import type { z } from 'zod';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { entityId, type ReferenceEntities } from '../domain/changes';

/** An entity as stored, with the version its next update must name. */
export interface Stored<K extends ReferenceKind> {
  entity: ReferenceEntities[K];
  version: number;
}

/** One page of a kind, in id order. */
export interface StoredPage<K extends ReferenceKind> {
  items: ReferenceEntities[K][];
  /** The id of the last item when there may be more after it. */
  lastId: string | undefined;
}

/** The item stored for an entity. */
interface ReferenceItem {
  kind: string;
  id: string;
  entity: unknown;
  version: number;
  updatedAt: string;
}

// DynamoDB maps come back in no particular key order; parsing gives the contract's order and checks the item.
const schemas: { [K in ReferenceKind]: z.ZodType<ReferenceEntities[K]> } = {
  market: Market,
  instrument: Instrument,
  price: ReferencePrice,
  account: Account,
  restricted: RestrictedEntry,
  fx: FxRate,
};

/** The version an update lost to: another writer changed the entity in between. */
export class VersionConflictError extends ConflictError {
  constructor(kind: ReferenceKind, id: string, cause?: unknown) {
    super(`The ${kind} ${id} was changed concurrently; retry.`, 'REFERENCE.VERSION_CONFLICT', cause);
  }
}

/** Reference entities in the one DynamoDB table: conditional create, versioned update, ordered pages. */
export class ReferenceRepository {
  constructor(
    private readonly doc: DocumentSender,
    private readonly table: TableKeys,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Stores a new entity; a ConflictError (409) when one with that id exists. */
  async create<K extends ReferenceKind>(kind: K, id: string, entity: ReferenceEntities[K]): Promise<void> {
    try {
      await this.send('PutItem', () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table.name,
            Item: this.item(kind, id, entity, 1),
            ConditionExpression: 'attribute_not_exists(#id)',
            ExpressionAttributeNames: { '#id': 'id' },
          }),
        ),
      );
    } catch (err) {
      if (err instanceof StoreConflictError) {
        throw new ConflictError(`The ${kind} ${id} already exists.`, 'REFERENCE.ALREADY_EXISTS', err);
      }
      throw err;
    }
  }

  /** The entity and its version, or undefined (strongly consistent, so a read after a write sees it). */
  async get<K extends ReferenceKind>(kind: K, id: string): Promise<Stored<K> | undefined> {
    const out = await this.send('GetItem', () =>
      this.doc.send(new GetCommand({ TableName: this.table.name, Key: { kind, id }, ConsistentRead: true })),
    );
    const item = out.Item as ReferenceItem | undefined;
    return item && { entity: schemas[kind].parse(item.entity), version: item.version };
  }

  /** Replaces the entity if it is still at `version`; a VersionConflictError (409) when it moved on or vanished. */
  async update<K extends ReferenceKind>(
    kind: K,
    id: string,
    entity: ReferenceEntities[K],
    version: number,
  ): Promise<number> {
    try {
      await this.send('PutItem', () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table.name,
            Item: this.item(kind, id, entity, version + 1),
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': version },
          }),
        ),
      );
      return version + 1;
    } catch (err) {
      if (err instanceof StoreConflictError) throw new VersionConflictError(kind, id, err);
      throw err;
    }
  }

  /** Deletes the entity; false when there was none. */
  async delete(kind: ReferenceKind, id: string): Promise<boolean> {
    try {
      await this.send('DeleteItem', () =>
        this.doc.send(
          new DeleteCommand({
            TableName: this.table.name,
            Key: { kind, id },
            ConditionExpression: 'attribute_exists(#id)',
            ExpressionAttributeNames: { '#id': 'id' },
          }),
        ),
      );
      return true;
    } catch (err) {
      if (err instanceof StoreConflictError) return false;
      throw err;
    }
  }

  /** Up to `limit` entities of `kind` with ids after `afterId`, in id order. */
  async list<K extends ReferenceKind>(kind: K, limit: number, afterId?: string): Promise<StoredPage<K>> {
    const items: ReferenceItem[] = [];
    let startKey: Record<string, unknown> | undefined =
      afterId === undefined ? undefined : { kind, id: afterId };
    let more = true;
    // One item beyond the page tells whether there is a next one; a 1 MB response cut short reads on.
    while (items.length <= limit && more) {
      const out = await this.send('Query', () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table.name,
            KeyConditionExpression: '#kind = :kind',
            ExpressionAttributeNames: { '#kind': 'kind' },
            ExpressionAttributeValues: { ':kind': kind },
            ExclusiveStartKey: startKey,
            Limit: limit + 1 - items.length,
            ConsistentRead: true,
          }),
        ),
      );
      items.push(...((out.Items ?? []) as ReferenceItem[]));
      startKey = out.LastEvaluatedKey;
      more = startKey !== undefined;
    }
    const page = items.slice(0, limit);
    return {
      items: page.map((item) => schemas[kind].parse(item.entity)),
      lastId: items.length > limit ? page[page.length - 1]?.id : undefined,
    };
  }

  /**
   * Like `list`, but only among `ids` (a caller's own accounts): those that exist, in id order. Reads the
   * candidates a page at a time, so the work follows the page size, not the size of the table.
   */
  async listAmong<K extends ReferenceKind>(
    kind: K,
    ids: Iterable<string>,
    limit: number,
    afterId?: string,
  ): Promise<StoredPage<K>> {
    const candidates = [...new Set(ids)].filter((id) => afterId === undefined || id > afterId).sort();
    const found: ReferenceItem[] = [];
    // One item beyond the page tells whether there is a next one.
    for (let start = 0; start < candidates.length && found.length <= limit; start += limit + 1) {
      const keys = candidates.slice(start, start + limit + 1).map((id) => ({ kind, id }));
      const { items } = await batchGetAll<ReferenceItem>(this.doc, this.table, keys, {
        consistentRead: true,
      });
      found.push(...items.sort((a, b) => (a.id < b.id ? -1 : 1)));
    }
    const page = found.slice(0, limit);
    return {
      items: page.map((item) => schemas[kind].parse(item.entity)),
      lastId: found.length > limit ? page[page.length - 1]?.id : undefined,
    };
  }

  /** Every id of `kind` (for rules that need the whole set, such as the market codes). */
  async ids<K extends ReferenceKind>(kind: K): Promise<Set<string>> {
    const ids = new Set<string>();
    let afterId: string | undefined;
    do {
      const page = await this.list(kind, 500, afterId);
      for (const item of page.items) ids.add(entityId(kind, item));
      afterId = page.lastId;
    } while (afterId !== undefined);
    return ids;
  }

  /** Writes many entities at version 1 in batches (the seed); the last write of an id wins. */
  putAll(
    entries: readonly { kind: ReferenceKind; id: string; entity: unknown }[],
  ): Promise<BatchWriteResult> {
    return batchWriteAll(
      this.doc,
      this.table,
      entries.map(({ kind, id, entity }) => ({ PutRequest: { Item: this.item(kind, id, entity, 1) } })),
    );
  }

  private item(kind: ReferenceKind, id: string, entity: unknown, version: number): ReferenceItem {
    return { kind, id, entity, version, updatedAt: this.clock().toISOString() };
  }

  private send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return withStoreErrors(call, { table: this.table.name, operation });
  }
}
