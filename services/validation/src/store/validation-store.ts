/**
 * The validation service's repository: reads the state a batch is judged against in one BatchGetItem call
 * (fingerprint buckets and daily totals together) and records a batch's judgements atomically, chunk by chunk
 * (TransactWriteItems), each write conditional on the revision it was computed from, so two instances that
 * process the same partition during a rebalance cannot both record a trade or lose each other's totals.
 */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TradeSubmitted } from '@tradeflow/contracts';
import { batchGetAcrossTables, batchGetAll, withStoreErrors, type Item } from '@tradeflow/platform/store';
import {
  fingerprintBucketKeysToRead,
  parseDailyTotalKey,
  type BucketEntry,
  type DailyTotal,
  type FingerprintBucket,
  type Judgement,
  type TotalWrite,
  type WriteChunk,
} from '../domain';
import type { ValidationTables } from './tables';

/** One write of a DynamoDB transaction. */
type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

export interface ValidationStoreOptions {
  /** The duplicate window: how far either side of a trade's time an identical trade is searched. */
  duplicateWindowMs: number;
  /**
   * How long a bucket is kept after its last write (and after its trades' window has passed): TTL deletes it
   * then. It bounds both the duplicate search of late trades and how long a redelivered trade version still
   * gets its recorded outcome back, so it must outlast the submitted topic's retention.
   */
  recordRetentionMs?: number;
}

/** The default retention of a bucket: a week, longer than the submitted topic keeps its messages. */
export const DEFAULT_RECORD_RETENTION_MS = 7 * 24 * 3_600_000;

/** What one read of a batch returns: its buckets and daily totals, by key; keys without an item are absent. */
export interface BatchRead {
  readonly buckets: Map<string, FingerprintBucket>;
  readonly totals: Map<string, DailyTotal>;
}

/** Reads and writes the fingerprint buckets (each trade version's record) and daily totals of validation. */
export class ValidationStore {
  private readonly windowMs: number;
  private readonly retentionMs: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tables: ValidationTables,
    options: ValidationStoreOptions,
  ) {
    this.windowMs = options.duplicateWindowMs;
    this.retentionMs = options.recordRetentionMs ?? DEFAULT_RECORD_RETENTION_MS;
  }

  /**
   * Every bucket the trades' judgements need (see `fingerprintBucketKeysToRead`) and the daily totals of
   * `dayKeys`, strongly consistent, in one BatchGetItem call per 100 keys.
   */
  async read(trades: readonly TradeSubmitted[], dayKeys: readonly string[]): Promise<BatchRead> {
    const bucketKeys = new Set(trades.flatMap((t) => fingerprintBucketKeysToRead(t, this.windowMs)));
    const { items } = await batchGetAcrossTables(
      this.doc,
      [
        { table: this.tables.fingerprints, keys: [...bucketKeys].map((bucket) => ({ bucket })) },
        { table: this.tables.dailyTotals, keys: [...new Set(dayKeys)].map((dayKey) => ({ dayKey })) },
      ],
      { consistentRead: true },
    );
    const buckets = new Map<string, FingerprintBucket>();
    for (const item of items.get(this.tables.fingerprints.name) ?? []) {
      const bucket = toBucket(item);
      buckets.set(bucket.key, bucket);
    }
    const totals = new Map<string, DailyTotal>();
    for (const item of items.get(this.tables.dailyTotals.name) ?? []) {
      const total = toTotal(item);
      totals.set(total.key, total);
    }
    return { buckets, totals };
  }

  /** Daily totals by key; keys without an item are absent (total 0, rev 0). Strongly consistent. */
  async dailyTotals(keys: readonly string[]): Promise<Map<string, DailyTotal>> {
    const found = new Map<string, DailyTotal>();
    if (keys.length === 0) return found;
    const { items } = await batchGetAll(
      this.doc,
      this.tables.dailyTotals,
      [...new Set(keys)].map((dayKey) => ({ dayKey })),
      { consistentRead: true },
    );
    for (const item of items) {
      const total = toTotal(item);
      found.set(total.key, total);
    }
    return found;
  }

  /** One fingerprint bucket, strongly consistent; undefined when it does not exist. */
  async bucket(key: string): Promise<FingerprintBucket | undefined> {
    const out = await withStoreErrors(
      () =>
        this.doc.send(
          new GetCommand({
            TableName: this.tables.fingerprints.name,
            Key: { bucket: key },
            ConsistentRead: true,
          }),
        ),
      { table: this.tables.fingerprints.name, operation: 'GetItem' },
    );
    return out.Item === undefined ? undefined : toBucket(out.Item);
  }

  /**
   * Releases what a cancelled version counted, in one transaction: marks its bucket entry released (only if the
   * bucket's revision is still `bucketRev`, so the entry index is the one read and no other writer released it
   * since) and writes the day's lowered total (only if its revision is still the one read). Throws a
   * StoreConflictError when either condition failed: nothing was written.
   */
  async release(
    release: { bucketKey: string; bucketRev: number; index: number; total: TotalWrite },
    now: Date,
  ): Promise<void> {
    const { bucketKey, bucketRev, index, total } = release;
    const updatedAt = now.toISOString();
    await withStoreErrors(
      () =>
        this.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tables.fingerprints.name,
                  Key: { bucket: bucketKey },
                  // The index is safe: entries are only appended, and only under a new revision.
                  UpdateExpression: `SET entries[${index}].releasedAt = :at, rev = :next`,
                  ConditionExpression: bucketRev === 0 ? 'attribute_not_exists(rev)' : 'rev = :rev',
                  ExpressionAttributeValues: {
                    ':at': updatedAt,
                    ':next': bucketRev + 1,
                    ...(bucketRev === 0 ? {} : { ':rev': bucketRev }),
                  },
                },
              },
              this.totalPut(total, updatedAt),
            ],
          }),
        ),
      { table: this.tables.fingerprints.name, operation: 'TransactWriteItems' },
    );
  }

  /**
   * Records one chunk in a single transaction: each bucket's new entries (only if its revision is still the
   * one the plan was computed from, so a trade version is recorded once) and each daily total (likewise).
   * Throws a StoreConflictError when any condition failed: nothing of the chunk was written.
   */
  async record(chunk: WriteChunk, now: Date): Promise<void> {
    const recordedAt = now.toISOString();
    const items: TransactItem[] = [];
    const latest = Math.max(now.getTime(), ...chunk.trades.map(({ trade }) => Date.parse(trade.tradeTime)));
    const expiresAt = Math.ceil((latest + this.windowMs + this.retentionMs) / 1000);
    for (const bucket of chunk.fingerprints) {
      // An append: the entries already there are kept; the revision makes it the only writer since the read.
      items.push({
        Update: {
          TableName: this.tables.fingerprints.name,
          Key: { bucket: bucket.key },
          UpdateExpression:
            'SET entries = list_append(if_not_exists(entries, :none), :new), accountId = :account, rev = :next, expiresAt = :expires',
          // A bucket never written, or written before buckets had revisions, has no `rev`.
          ConditionExpression: bucket.expectedRev === 0 ? 'attribute_not_exists(rev)' : 'rev = :rev',
          ExpressionAttributeValues: {
            ':none': [],
            ':new': bucket.entries.map(toStoredEntry),
            ':account': bucket.accountId,
            ':next': bucket.expectedRev + 1,
            ':expires': expiresAt,
            ...(bucket.expectedRev === 0 ? {} : { ':rev': bucket.expectedRev }),
          },
        },
      });
    }
    for (const total of chunk.totals) {
      items.push(this.totalPut(total, recordedAt));
    }
    if (items.length === 0) return;
    await withStoreErrors(() => this.doc.send(new TransactWriteCommand({ TransactItems: items })), {
      table: this.tables.fingerprints.name,
      operation: 'TransactWriteItems',
    });
  }

  /** The write of a day's new total, only if its revision is still the one the total was computed from. */
  private totalPut(total: TotalWrite, updatedAt: string): TransactItem {
    const { accountId, day } = parseDailyTotalKey(total.key);
    return {
      Put: {
        TableName: this.tables.dailyTotals.name,
        Item: {
          dayKey: total.key,
          accountId,
          tradingDay: day,
          total: total.total,
          rev: total.expectedRev + 1,
          updatedAt,
        },
        ...(total.expectedRev === 0
          ? { ConditionExpression: 'attribute_not_exists(dayKey)' }
          : {
              ConditionExpression: 'rev = :rev',
              ExpressionAttributeValues: { ':rev': total.expectedRev },
            }),
      },
    };
  }
}

/**
 * A bucket entry as stored, kept compact (a bucket is one item of at most 400 KB): failures only when there
 * are some, the counted amount and its day key only when the version counted something.
 */
function toStoredEntry({ tradeId, version, tradeTimeMs, judgement }: BucketEntry): Item {
  if (judgement === undefined) return { tradeId, version, tradeTimeMs };
  return {
    tradeId,
    version,
    tradeTimeMs,
    status: judgement.status,
    validatedAt: judgement.validatedAt,
    ...(judgement.failures.length === 0
      ? {}
      : { failures: judgement.failures.map((f) => ({ ruleId: f.ruleId, reason: f.reason })) }),
    ...(judgement.counted === 0 || judgement.dayKey === undefined
      ? {}
      : { counted: judgement.counted, dayKey: judgement.dayKey }),
    ...(judgement.releasedAt === undefined ? {} : { releasedAt: judgement.releasedAt }),
  };
}

function toJudgement(entry: Record<string, unknown>): Judgement | undefined {
  if (entry.status !== 'VALIDATED' && entry.status !== 'REJECTED') return undefined;
  const failures = Array.isArray(entry.failures) ? (entry.failures as Record<string, unknown>[]) : [];
  return {
    status: entry.status,
    validatedAt: String(entry.validatedAt),
    failures: failures.map((f) => ({ ruleId: String(f.ruleId), reason: String(f.reason) })),
    counted: Number(entry.counted ?? 0),
    dayKey: typeof entry.dayKey === 'string' ? entry.dayKey : undefined,
    ...(typeof entry.releasedAt === 'string' ? { releasedAt: entry.releasedAt } : {}),
  };
}

function toBucket(item: Item): FingerprintBucket {
  const entries = Array.isArray(item.entries) ? (item.entries as Record<string, unknown>[]) : [];
  return {
    key: String(item.bucket),
    rev: Number(item.rev ?? 0),
    entries: entries.map((entry) => {
      const judgement = toJudgement(entry);
      return {
        tradeId: String(entry.tradeId),
        version: Number(entry.version),
        tradeTimeMs: Number(entry.tradeTimeMs),
        ...(judgement === undefined ? {} : { judgement }),
      };
    }),
  };
}

function toTotal(item: Item): DailyTotal {
  return { key: String(item.dayKey), total: Number(item.total), rev: Number(item.rev) };
}
