/**
 * Idempotency keys. A request first puts an in-progress marker (conditional, so of two concurrent duplicates
 * exactly one proceeds), then replaces it with its response; a failed request deletes its marker so the
 * client can try again. Records expire through DynamoDB TTL.
 */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { withStoreErrors, type TableDefinition } from '@tradeflow/platform/store';
import { conditionHeld } from './conditional-write';

/** The response a key remembers. */
export interface StoredResponse {
  status: number;
  /** The body exactly as sent. */
  body: string;
  contentType: string;
  /** Headers worth replaying (`Location`). */
  headers: Record<string, string>;
}

/** What is known about a key. */
export type IdempotencyRecord =
  | { state: 'IN_PROGRESS'; fingerprint: string; token: string; lockedUntil: number }
  | { state: 'COMPLETED'; fingerprint: string; response: StoredResponse };

/** Result of trying to take a key. */
export type Acquired = { acquired: true } | { acquired: false; record: IdempotencyRecord | undefined };

export interface IdempotencyTimes {
  /** How long a completed response is remembered. */
  ttlMs: number;
  /** How long an in-progress marker blocks others before it counts as abandoned (its holder crashed). */
  lockMs: number;
}

/** The idempotency-keys table. */
export class IdempotencyRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: TableDefinition,
    private readonly times: IdempotencyTimes,
  ) {}

  /**
   * Puts the in-progress marker of `key` unless a live record exists (an expired one, or a marker whose holder
   * let it lapse, is taken over). When it exists, returns it so the caller can replay or refuse.
   */
  async acquire(key: string, fingerprint: string, token: string, nowMs: number): Promise<Acquired> {
    const acquired = await conditionHeld(() =>
      withStoreErrors(
        () =>
          this.doc.send(
            new PutCommand({
              TableName: this.table.name,
              Item: {
                key,
                state: 'IN_PROGRESS',
                fingerprint,
                token,
                lockedUntil: nowMs + this.times.lockMs,
                expiresAt: epochSeconds(nowMs + this.times.ttlMs),
              },
              ConditionExpression:
                'attribute_not_exists(#key) OR expiresAt < :nowSeconds OR (#state = :inProgress AND lockedUntil < :nowMs)',
              ExpressionAttributeNames: { '#key': 'key', '#state': 'state' },
              ExpressionAttributeValues: {
                ':nowSeconds': epochSeconds(nowMs),
                ':nowMs': nowMs,
                ':inProgress': 'IN_PROGRESS',
              },
            }),
          ),
        { table: this.table.name, operation: 'PutItem' },
      ),
    );
    return acquired ? { acquired: true } : { acquired: false, record: await this.get(key) };
  }

  /** Stores the response in place of our marker; false when the marker is no longer ours. */
  async complete(
    key: string,
    fingerprint: string,
    token: string,
    response: StoredResponse,
    nowMs: number,
  ): Promise<boolean> {
    return conditionHeld(() =>
      withStoreErrors(
        () =>
          this.doc.send(
            new PutCommand({
              TableName: this.table.name,
              Item: {
                key,
                state: 'COMPLETED',
                fingerprint,
                response: JSON.stringify(response),
                expiresAt: epochSeconds(nowMs + this.times.ttlMs),
              },
              ConditionExpression: '#token = :token',
              ExpressionAttributeNames: { '#token': 'token' },
              ExpressionAttributeValues: { ':token': token },
            }),
          ),
        { table: this.table.name, operation: 'PutItem' },
      ),
    );
  }

  /** Deletes our marker (the request failed), so the key can be used again at once. */
  async release(key: string, token: string): Promise<void> {
    // A marker that is no longer ours (lapsed and taken over) is not ours to delete: nothing to do.
    await conditionHeld(() =>
      withStoreErrors(
        () =>
          this.doc.send(
            new DeleteCommand({
              TableName: this.table.name,
              Key: { key },
              ConditionExpression: '#token = :token',
              ExpressionAttributeNames: { '#token': 'token' },
              ExpressionAttributeValues: { ':token': token },
            }),
          ),
        { table: this.table.name, operation: 'DeleteItem' },
      ),
    );
  }

  /** The record of `key`, or undefined (never stored, or deleted meanwhile). */
  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const out = await withStoreErrors(
      () => this.doc.send(new GetCommand({ TableName: this.table.name, Key: { key }, ConsistentRead: true })),
      { table: this.table.name, operation: 'GetItem' },
    );
    const item = out.Item;
    if (item === undefined) return undefined;
    const fingerprint = String(item.fingerprint);
    if (item.state === 'COMPLETED')
      return {
        state: 'COMPLETED',
        fingerprint,
        response: JSON.parse(String(item.response)) as StoredResponse,
      };
    return {
      state: 'IN_PROGRESS',
      fingerprint,
      token: String(item.token),
      lockedUntil: Number(item.lockedUntil),
    };
  }
}

function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
