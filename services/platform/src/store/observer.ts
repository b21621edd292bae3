/**
 * What the store reports about every DynamoDB call, for metrics. The metrics module implements it with
 * prom-client; the store never imports prom-client. Attached to a client by `createDynamoClients`.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** How a call ended: `success`, a failed condition (expected where writes are conditional), or another error. */
export type StoreCallOutcome = 'success' | 'conditional_check_failed' | 'error';

export interface StoreObserver {
  /**
   * One call finished after `seconds` (the SDK's own retries included). `operation` is the API name
   * (`PutItem`, `BatchWriteItem`); `table` the table it touched, or the tables joined by `,` in name order.
   */
  called(operation: string, table: string, seconds: number, outcome: StoreCallOutcome): void;
  /** `count` items were written to `table` by a call that succeeded. */
  itemsWritten(table: string, count: number): void;
}

/** An observer that records nothing. */
export const noopStoreObserver: StoreObserver = {
  called: () => undefined,
  itemsWritten: () => undefined,
};

/** Name of the middleware `observeStoreCalls` adds; adding it again replaces it. */
export const STORE_OBSERVER_MIDDLEWARE = 'tradeflowStoreObserver';

type Input = Readonly<Record<string, unknown>>;

/**
 * Reports every call of `client` (and of document clients built on it, which share its middleware stack) to
 * `observer`: latency per operation and table, and the items each successful call wrote.
 */
export function observeStoreCalls(client: DynamoDBClient, observer: StoreObserver): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const input = (args.input ?? {}) as Input;
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      let result;
      try {
        result = await next(args);
      } catch (err) {
        observer.called(operation, tableLabel(tablesOf(input)), seconds(), outcomeOf(err));
        throw err;
      }
      observer.called(operation, tableLabel(tablesOf(input)), seconds(), 'success');
      for (const [table, count] of itemsWritten(
        operation,
        input,
        result.output as unknown as Input | undefined,
      )) {
        if (count > 0) observer.itemsWritten(table, count);
      }
      return result;
    },
    { step: 'initialize', name: STORE_OBSERVER_MIDDLEWARE, override: true },
  );
}

/**
 * The items a successful call wrote, per table: 1 for PutItem, UpdateItem and DeleteItem; the requests of a
 * BatchWriteItem minus those it handed back unprocessed (the caller re-sends those, and they count then);
 * the Put, Update and Delete actions of a TransactWriteItems (a ConditionCheck writes nothing).
 */
export function itemsWritten(
  operation: string,
  input: Input,
  output: Input | undefined,
): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (table: unknown, n: number) => {
    if (typeof table === 'string') counts.set(table, (counts.get(table) ?? 0) + n);
  };
  switch (operation) {
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      add(input.TableName, 1);
      break;
    case 'BatchWriteItem': {
      const unprocessed = (output?.UnprocessedItems ?? {}) as Record<string, unknown[] | undefined>;
      for (const [table, requests] of Object.entries(recordOf(input.RequestItems))) {
        add(table, lengthOf(requests) - lengthOf(unprocessed[table]));
      }
      break;
    }
    case 'TransactWriteItems':
      for (const item of arrayOf(input.TransactItems)) {
        const action = item as Record<string, { TableName?: unknown } | undefined>;
        for (const kind of ['Put', 'Update', 'Delete']) add(action[kind]?.TableName, 1);
      }
      break;
  }
  return counts;
}

/** The tables a call touches, in name order. */
function tablesOf(input: Input): string[] {
  const tables = new Set<string>();
  if (typeof input.TableName === 'string') tables.add(input.TableName);
  for (const table of Object.keys(recordOf(input.RequestItems))) tables.add(table);
  for (const item of arrayOf(input.TransactItems)) {
    for (const action of Object.values(item as Record<string, { TableName?: unknown } | undefined>)) {
      if (typeof action?.TableName === 'string') tables.add(action.TableName);
    }
  }
  return [...tables].sort();
}

function tableLabel(tables: string[]): string {
  return tables.length === 0 ? 'none' : tables.join(',');
}

function outcomeOf(err: unknown): 'conditional_check_failed' | 'error' {
  const name = err instanceof Error ? err.name : '';
  if (name === 'ConditionalCheckFailedException') return 'conditional_check_failed';
  // A transaction cancelled only by failed conditions is the same thing for a multi-item write.
  if (name === 'TransactionCanceledException') {
    const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    const codes = reasons.map((r) => r.Code).filter((c) => c !== undefined && c !== 'None');
    if (codes.length > 0 && codes.every((c) => c === 'ConditionalCheckFailed'))
      return 'conditional_check_failed';
  }
  return 'error';
}

function recordOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

function lengthOf(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}
