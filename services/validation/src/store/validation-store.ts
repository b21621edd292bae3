/**
 * The validation service's repository: reads the state a batch is judged against and records a batch's
 * judgements atomically, chunk by chunk (TransactWriteItems), each write conditional so two instances that
 * process the same partition during a rebalance cannot both record a trade or lose each other's totals.
 */
import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TradeOutcome, type TradeSubmitted } from '@tradeflow/contracts';
import { batchGetAll, withStoreErrors, type Item } from '@tradeflow/platform/store';
import {
  fingerprintBucketKeysAround,
  parseDailyTotalKey,
  tradeKey,
  type Contribution,
  type DailyTotal,
  type EarlierTrade,
  type WriteChunk,
} from '../domain';
import type { ValidationTables } from './tables';

/** An outcome as recorded: the event data plus what the version counted. */
export interface StoredOutcome {
  readonly outcome: TradeOutcome;
  /** The daily-total key the version counted towards; absent when it counted nothing. */
  readonly countedKey: string | undefined;
  /** In the account's currency; 0 when rejected. */
  readonly counted: number;
}

export interface ValidationStoreOptions {
  /** The duplicate window: how far either side of a trade's time an identical trade is searched. */
  duplicateWindowMs: number;
  /** How long a fingerprint outlives the window, so late (bulk, replayed) trades of the day still meet it. */
  fingerprintRetentionMs?: number;
}

/** Identical trades are searched this long after the window has passed; TTL deletes them later. */
const DEFAULT_FINGERPRINT_RETENTION_MS = 24 * 3_600_000;
/** Queries in flight at once while reading a batch's state. */
const QUERY_CONCURRENCY = 8;
/** Runs `work` over `items` with at most `limit` in flight. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Reads and writes the outcomes, daily totals and fingerprints of validation. */
export class ValidationStore {
  private readonly windowMs: number;
  private readonly retentionMs: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tables: ValidationTables,
    options: ValidationStoreOptions,
  ) {
    this.windowMs = options.duplicateWindowMs;
    this.retentionMs = options.fingerprintRetentionMs ?? DEFAULT_FINGERPRINT_RETENTION_MS;
  }

  /** The recorded outcomes of these trade versions, by `tradeKey`; strongly consistent. */
  async outcomes(
    trades: readonly Pick<TradeSubmitted, 'tradeId' | 'version'>[],
  ): Promise<Map<string, StoredOutcome>> {
    const found = new Map<string, StoredOutcome>();
    if (trades.length === 0) return found;
    const { items } = await batchGetAll(
      this.doc,
      this.tables.outcomes,
      trades.map((t) => ({ tradeId: t.tradeId, version: t.version })),
      { consistentRead: true },
    );
    for (const item of items) {
      const stored = toStoredOutcome(item);
      found.set(tradeKey(stored.outcome), stored);
    }
    return found;
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
      const key = String(item.dayKey);
      found.set(key, { key, total: Number(item.total), rev: Number(item.rev) });
    }
    return found;
  }

  /**
   * What an earlier version counts, for each trade with version > 1 (the newest recorded version below the
   * lowest one in `trades`), by trade id.
   */
  async contributions(trades: readonly TradeSubmitted[]): Promise<Map<string, Contribution>> {
    const lowest = new Map<string, number>();
    for (const t of trades) {
      if (t.version > 1) lowest.set(t.tradeId, Math.min(t.version, lowest.get(t.tradeId) ?? Infinity));
    }
    const found = new Map<string, Contribution>();
    await inParallel([...lowest], QUERY_CONCURRENCY, async ([tradeId, version]) => {
      const out = await withStoreErrors(
        () =>
          this.doc.send(
            new QueryCommand({
              TableName: this.tables.outcomes.name,
              KeyConditionExpression: 'tradeId = :id AND version < :v',
              ExpressionAttributeValues: { ':id': tradeId, ':v': version },
              ScanIndexForward: false,
              Limit: 1,
              ConsistentRead: true,
            }),
          ),
        { table: this.tables.outcomes.name, operation: 'Query' },
      );
      const item = out.Items?.[0];
      if (item === undefined) return;
      const stored = toStoredOutcome(item);
      found.set(tradeId, {
        version: stored.outcome.version,
        dayKey: stored.countedKey,
        amount: stored.counted,
      });
    });
    return found;
  }

  /**
   * For each trade (by `tradeKey`), the earliest recorded trade with the same fingerprint and another trade id
   * whose trade time is within the duplicate window of its own. One BatchGet of the buckets around the trades.
   */
  async earlierTrades(
    trades: readonly { trade: TradeSubmitted; fingerprint: string }[],
  ): Promise<Map<string, EarlierTrade>> {
    const found = new Map<string, EarlierTrade>();
    const keys = new Set(
      trades.flatMap(({ trade, fingerprint }) =>
        fingerprintBucketKeysAround(fingerprint, Date.parse(trade.tradeTime), this.windowMs),
      ),
    );
    if (keys.size === 0) return found;
    const { items } = await batchGetAll(
      this.doc,
      this.tables.fingerprints,
      [...keys].map((bucket) => ({ bucket })),
      { consistentRead: true },
    );
    const buckets = new Map(items.map((item) => [String(item.bucket), toEntries(item.entries)]));
    for (const { trade, fingerprint } of trades) {
      const at = Date.parse(trade.tradeTime);
      const candidates = fingerprintBucketKeysAround(fingerprint, at, this.windowMs)
        .flatMap((key) => buckets.get(key) ?? [])
        .filter((c) => c.tradeId !== trade.tradeId && Math.abs(c.tradeTimeMs - at) <= this.windowMs)
        .sort((a, b) => a.tradeTimeMs - b.tradeTimeMs || a.tradeId.localeCompare(b.tradeId));
      if (candidates[0] !== undefined) found.set(tradeKey(trade), candidates[0]);
    }
    return found;
  }

  /**
   * Records one chunk in a single transaction: each trade's outcome (only if not recorded yet) and
   * fingerprint, and each daily total (only if its revision is still the one the plan was computed from).
   * Throws a StoreConflictError when any condition failed: nothing of the chunk was written.
   */
  async record(chunk: WriteChunk, now: Date): Promise<void> {
    const recordedAt = now.toISOString();
    const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [];
    for (const { trade, outcome, fingerprint, dayKey, counted } of chunk.trades) {
      items.push({
        Put: {
          TableName: this.tables.outcomes.name,
          Item: {
            tradeId: trade.tradeId,
            version: trade.version,
            accountId: trade.accountId,
            outcome,
            fingerprint,
            dayKey,
            counted,
            countedKey: counted === 0 ? undefined : dayKey,
            recordedAt,
          },
          ConditionExpression: 'attribute_not_exists(tradeId)',
        },
      });
    }
    const latest = Math.max(now.getTime(), ...chunk.trades.map(({ trade }) => Date.parse(trade.tradeTime)));
    for (const bucket of chunk.fingerprints) {
      // An atomic append: another writer's entries in the same bucket are kept, never overwritten.
      items.push({
        Update: {
          TableName: this.tables.fingerprints.name,
          Key: { bucket: bucket.key },
          UpdateExpression:
            'SET entries = list_append(if_not_exists(entries, :none), :new), expiresAt = :expires',
          ExpressionAttributeValues: {
            ':none': [],
            ':new': bucket.entries.map((e) => ({ ...e })),
            ':expires': Math.ceil((latest + this.windowMs + this.retentionMs) / 1000),
          },
        },
      });
    }
    for (const total of chunk.totals) {
      const { accountId, day } = parseDailyTotalKey(total.key);
      items.push({
        Put: {
          TableName: this.tables.dailyTotals.name,
          Item: {
            dayKey: total.key,
            accountId,
            tradingDay: day,
            total: total.total,
            rev: total.expectedRev + 1,
            updatedAt: recordedAt,
          },
          ...(total.expectedRev === 0
            ? { ConditionExpression: 'attribute_not_exists(dayKey)' }
            : {
                ConditionExpression: 'rev = :rev',
                ExpressionAttributeValues: { ':rev': total.expectedRev },
              }),
        },
      });
    }
    if (items.length === 0) return;
    await withStoreErrors(() => this.doc.send(new TransactWriteCommand({ TransactItems: items })), {
      table: this.tables.outcomes.name,
      operation: 'TransactWriteItems',
    });
  }
}

function toEntries(value: unknown): EarlierTrade[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry: Record<string, unknown>) => ({
    tradeId: String(entry.tradeId),
    version: Number(entry.version),
    tradeTimeMs: Number(entry.tradeTimeMs),
  }));
}

function toStoredOutcome(item: Item): StoredOutcome {
  return {
    outcome: TradeOutcome.parse(item.outcome),
    countedKey: typeof item.countedKey === 'string' ? item.countedKey : undefined,
    counted: Number(item.counted ?? 0),
  };
}
