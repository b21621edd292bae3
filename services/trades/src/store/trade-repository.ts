/**
 * The trades table. Every state change is a conditional write on the version and status the caller saw, so
 * two writers (an outcome and an amendment, two redelivered outcomes) can never both win or go backwards.
 */
import type { TradeOutcome, TradeStatus } from '@tradeflow/contracts';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import {
  batchGetAll,
  batchWriteAll,
  StoreConflictError,
  withStoreErrors,
  type TableDefinition,
} from '@tradeflow/platform/store';
import { accountTimeKey, AWAITING_OUTCOME, type Trade } from '../domain';
import { conditionHeld } from './conditional-write';
import { ACCOUNT_TIME_INDEX } from './tables';

type Item = Record<string, NativeAttributeValue>;

/** Where an account listing continues: the index key of the last item it returned. */
export interface AccountPosition {
  accountId: string;
  accountTime: string;
  tradeId: string;
}

/** Filters of an account listing; times are UTC instants (`utcInstant`), `to` exclusive. */
export interface AccountTradesQuery {
  accountId: string;
  statuses?: readonly TradeStatus[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  after?: AccountPosition | undefined;
}

export interface AccountTradesPage {
  items: Trade[];
  /** Where the next page starts; undefined on the last page. */
  next: AccountPosition | undefined;
}

/** What an amendment changes. */
export interface AmendChange {
  price: number;
  quantity: number;
}

// Query calls one listing request may make before it returns what it has with a cursor (bounds the work).
const MAX_QUERY_CALLS = 10;
/** DynamoDB's limit on the actions of one TransactWriteItems call. */
export const MAX_TRANSACTION_ITEMS = 100;

/** The trades table. */
export class TradeRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: TableDefinition,
  ) {}

  /** Writes a new trade; a trade with its id already there is a StoreConflictError. */
  async create(trade: Trade): Promise<void> {
    await withStoreErrors(
      () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table.name,
            Item: toItem(trade),
            ConditionExpression: 'attribute_not_exists(tradeId)',
          }),
        ),
      { table: this.table.name, operation: 'PutItem' },
    );
  }

  /** Writes many new trades in batches (ids are fresh or deterministic, so a rewrite is the same trade). */
  async createMany(trades: readonly Trade[]): Promise<void> {
    if (trades.length === 0) return;
    await batchWriteAll(
      this.doc,
      this.table,
      trades.map((t) => ({ PutRequest: { Item: toItem(t) } })),
      { concurrency: 4 },
    );
  }

  /** Removes trades whose event could not be published (best effort by the caller). */
  async deleteMany(tradeIds: readonly string[]): Promise<void> {
    if (tradeIds.length === 0) return;
    await batchWriteAll(
      this.doc,
      this.table,
      tradeIds.map((tradeId) => ({ DeleteRequest: { Key: { tradeId } } })),
    );
  }

  /**
   * Deletes a trade that is still RECEIVED at `version`; false when it has moved on (its event was
   * delivered after all and validation decided it) or is gone.
   */
  async deleteIfUnprocessed(tradeId: string, version: number): Promise<boolean> {
    return conditionHeld(() =>
      withStoreErrors(
        () =>
          this.doc.send(
            new DeleteCommand({
              TableName: this.table.name,
              Key: { tradeId },
              ConditionExpression: '#status = :received AND #version = :version',
              ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
              ExpressionAttributeValues: { ':received': 'RECEIVED', ':version': version },
            }),
          ),
        { table: this.table.name, operation: 'DeleteItem' },
      ),
    );
  }

  /** The trade, or undefined. Strongly consistent, so a client sees its own writes. */
  async get(tradeId: string): Promise<Trade | undefined> {
    const out = await withStoreErrors(
      () =>
        this.doc.send(new GetCommand({ TableName: this.table.name, Key: { tradeId }, ConsistentRead: true })),
      { table: this.table.name, operation: 'GetItem' },
    );
    return out.Item === undefined ? undefined : fromItem(out.Item);
  }

  /** Which of `tradeIds` exist. */
  async existing(tradeIds: readonly string[]): Promise<Set<string>> {
    if (tradeIds.length === 0) return new Set();
    const { items } = await batchGetAll(
      this.doc,
      this.table,
      tradeIds.map((tradeId) => ({ tradeId })),
      { consistentRead: true },
    );
    return new Set(items.map((i) => String(i.tradeId)));
  }

  /**
   * Records a validation outcome when the trade still waits for the outcome of exactly that version; false
   * (nothing written) for an outcome that is redelivered, older than the trade, or of an unknown trade.
   */
  async applyOutcome(outcome: TradeOutcome, now: string): Promise<boolean> {
    return conditionHeld(() =>
      withStoreErrors(() => this.doc.send(new UpdateCommand(this.outcomeUpdate(outcome, now))), {
        table: this.table.name,
        operation: 'UpdateItem',
      }),
    );
  }

  /**
   * Records up to MAX_TRANSACTION_ITEMS outcomes of distinct trades in one TransactWriteItems call, each
   * under the same condition as `applyOutcome`. A transaction is all or nothing, so when conditions fail,
   * DynamoDB's cancellation reasons name the items: those are not applied (redelivered, superseded or
   * unknown) and the rest is sent again. Answers, in order, whether each outcome was applied. Another
   * cancellation (a conflict with a concurrent writer, throttling) is thrown: every action is conditional,
   * so the caller may simply try the whole set again.
   */
  async applyOutcomes(outcomes: readonly TradeOutcome[], now: string): Promise<boolean[]> {
    if (new Set(outcomes.map((o) => o.tradeId)).size !== outcomes.length)
      throw new Error('applyOutcomes: one outcome per trade (a transaction cannot touch an item twice)');
    if (outcomes.length > MAX_TRANSACTION_ITEMS)
      throw new Error(`applyOutcomes: at most ${MAX_TRANSACTION_ITEMS} outcomes per call`);
    if (outcomes.length === 1) return [await this.applyOutcome(outcomes[0] as TradeOutcome, now)];
    const applied = outcomes.map(() => false);
    let pending = outcomes.map((_, index) => index);
    while (pending.length > 0) {
      try {
        await withStoreErrors(
          () =>
            this.doc.send(
              new TransactWriteCommand({
                TransactItems: pending.map((i) => ({
                  Update: this.outcomeUpdate(outcomes[i] as TradeOutcome, now),
                })),
              }),
            ),
          { table: this.table.name, operation: 'TransactWriteItems' },
        );
        for (const i of pending) applied[i] = true;
        break;
      } catch (err) {
        const failed = err instanceof StoreConflictError ? failedIndexes(err) : [];
        if (failed.length === 0) throw err;
        // Positions are within this attempt's items; every try drops at least one, so this ends.
        const dropped = new Set(failed.map((position) => pending[position]));
        pending = pending.filter((i) => !dropped.has(i));
      }
    }
    return applied;
  }

  /**
   * Amends `current` (as read): new price and quantity, version + 1, AMENDED, failures cleared. A
   * StoreConflictError when the trade changed since it was read.
   */
  async amend(current: Trade, change: AmendChange, now: string): Promise<Trade> {
    const amended: Trade = {
      ...current,
      price: change.price,
      quantity: change.quantity,
      status: 'AMENDED',
      version: current.version + 1,
      failures: [],
      validatedAt: undefined,
      amendedAt: now,
      updatedAt: now,
    };
    await this.replace(current, amended);
    return amended;
  }

  /** Puts `previous` back in place of `amended` (its event could not be published); false when it moved on. */
  async revert(amended: Trade, previous: Trade): Promise<boolean> {
    return conditionHeld(() => this.replace(amended, previous));
  }

  /** Cancels `current` (as read); a StoreConflictError when the trade changed since it was read. */
  async cancel(current: Trade, reason: string | undefined, now: string): Promise<Trade> {
    const cancelled: Trade = {
      ...current,
      status: 'CANCELLED',
      cancelledAt: now,
      cancelReason: reason,
      updatedAt: now,
    };
    await this.replace(current, cancelled);
    return cancelled;
  }

  /** An account's trades, newest trade time first, filtered by status and time. */
  async listByAccount(query: AccountTradesQuery): Promise<AccountTradesPage> {
    const names: Record<string, string> = { '#account': 'accountId' };
    if (query.from !== undefined || query.to !== undefined) names['#time'] = 'accountTime';
    const values: Record<string, NativeAttributeValue> = { ':account': query.accountId };
    let keyCondition = '#account = :account';
    // accountTime is `<UTC instant>#<id>`: `>= from` includes trades at `from`, `< to` excludes those at `to`.
    if (query.from !== undefined && query.to !== undefined) {
      keyCondition += ' AND #time BETWEEN :from AND :toBefore';
      values[':from'] = query.from;
      values[':toBefore'] = `${query.to}`;
    } else if (query.from !== undefined) {
      keyCondition += ' AND #time >= :from';
      values[':from'] = query.from;
    } else if (query.to !== undefined) {
      keyCondition += ' AND #time < :toBefore';
      values[':toBefore'] = query.to;
    }
    let filter: string | undefined;
    if (query.statuses !== undefined && query.statuses.length > 0) {
      names['#status'] = 'status';
      const placeholders = query.statuses.map((status, i) => {
        values[`:status${i}`] = status;
        return `:status${i}`;
      });
      filter = `#status IN (${placeholders.join(', ')})`;
    }

    const items: Trade[] = [];
    let start: Item | undefined =
      query.after === undefined
        ? undefined
        : {
            accountId: query.after.accountId,
            accountTime: query.after.accountTime,
            tradeId: query.after.tradeId,
          };
    for (let calls = 0; calls < MAX_QUERY_CALLS; calls++) {
      const out = await withStoreErrors(
        () =>
          this.doc.send(
            new QueryCommand({
              TableName: this.table.name,
              IndexName: ACCOUNT_TIME_INDEX,
              KeyConditionExpression: keyCondition,
              FilterExpression: filter,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ScanIndexForward: false,
              // With a filter DynamoDB counts what it reads, not what it returns: ask for what is missing.
              Limit: query.limit - items.length,
              ExclusiveStartKey: start,
            }),
          ),
        { table: this.table.name, operation: 'Query' },
      );
      for (const item of out.Items ?? []) items.push(fromItem(item));
      start = out.LastEvaluatedKey;
      if (start === undefined || items.length >= query.limit) break;
    }
    return {
      items,
      next:
        start === undefined
          ? undefined
          : {
              accountId: String(start.accountId),
              accountTime: String(start.accountTime),
              tradeId: String(start.tradeId),
            },
    };
  }

  /** The conditional update that records `outcome` (see `applyOutcome`), for UpdateItem or a transaction. */
  private outcomeUpdate(outcome: TradeOutcome, now: string) {
    return {
      TableName: this.table.name,
      Key: { tradeId: outcome.tradeId },
      UpdateExpression:
        'SET #status = :status, failures = :failures, validatedAt = :validatedAt, updatedAt = :now',
      ConditionExpression:
        'attribute_exists(tradeId) AND #version = :version AND #status IN (:awaiting0, :awaiting1)',
      ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
      ExpressionAttributeValues: {
        ':status': outcome.status,
        ':failures': outcome.failures.map((f) => ({ ruleId: f.ruleId, reason: f.reason })),
        ':validatedAt': outcome.validatedAt,
        ':now': now,
        ':version': outcome.version,
        ':awaiting0': AWAITING_OUTCOME[0],
        ':awaiting1': AWAITING_OUTCOME[1],
      },
    };
  }

  /** Writes `next` over `current`, only if the stored trade is still at the version and status read. */
  private async replace(current: Trade, next: Trade): Promise<void> {
    await withStoreErrors(
      () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table.name,
            Item: toItem(next),
            ConditionExpression: '#version = :version AND #status = :status',
            ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
            ExpressionAttributeValues: { ':version': current.version, ':status': current.status },
          }),
        ),
      { table: this.table.name, operation: 'PutItem' },
    );
  }
}

/** The transaction items whose condition failed, as the store error names them. */
function failedIndexes(err: StoreConflictError): number[] {
  const indexes = err.details?.failedIndexes;
  return Array.isArray(indexes) ? indexes.filter((i): i is number => typeof i === 'number') : [];
}

/** The stored item: the trade plus the account index's sort key. */
function toItem(trade: Trade): Item {
  return { ...trade, accountTime: accountTimeKey(trade.tradeTime, trade.tradeId) };
}

function fromItem(item: Item): Trade {
  const optional = (name: string): string | undefined =>
    typeof item[name] === 'string' ? item[name] : undefined;
  return {
    tradeId: String(item.tradeId),
    accountId: String(item.accountId),
    symbol: String(item.symbol),
    side: item.side as Trade['side'],
    quantity: Number(item.quantity),
    price: Number(item.price),
    currency: String(item.currency),
    tradeTime: String(item.tradeTime),
    receivedAt: String(item.receivedAt),
    status: item.status as TradeStatus,
    version: Number(item.version),
    failures: Array.isArray(item.failures) ? (item.failures as Trade['failures']) : [],
    updatedAt: String(item.updatedAt),
    channel: item.channel as Trade['channel'],
    clientTradeId: optional('clientTradeId'),
    bulkJobId: optional('bulkJobId'),
    bulkLine: typeof item.bulkLine === 'number' ? item.bulkLine : undefined,
    validatedAt: optional('validatedAt'),
    amendedAt: optional('amendedAt'),
    cancelledAt: optional('cancelledAt'),
    cancelReason: optional('cancelReason'),
  };
}
