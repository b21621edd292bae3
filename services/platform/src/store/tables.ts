/**
 * Table bootstrap. Each service owns `TableDefinition`s for its tables; at start the composition root
 * applies the environment's prefix once (`withTablePrefix`) and hands the result both to `ensureTables`
 * and to its repositories, so the name that is created is the name that is used.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type TableDescription,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { AppError } from '../errors';
import { StoreTimeoutError, translateDynamoError } from './store-errors';

/** DynamoDB's scalar key types: string, number, binary. */
export type KeyAttributeType = 'S' | 'N' | 'B';

/** One key attribute: its name and scalar type. */
export interface KeyAttribute {
  name: string;
  type: KeyAttributeType;
}

/** A global secondary index; its projection defaults to `ALL`. */
export interface IndexDefinition {
  name: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute | undefined;
  projection?: 'ALL' | 'KEYS_ONLY' | { include: readonly string[] } | undefined;
}

/**
 * What a service declares about one of its tables. Attribute definitions are derived from the table and
 * index keys (DynamoDB rejects any others); billing is always on demand (PAY_PER_REQUEST).
 */
export interface TableDefinition {
  /** The physical table name, already prefixed (see `withTablePrefix`). */
  name: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute | undefined;
  globalSecondaryIndexes?: readonly IndexDefinition[] | undefined;
  /** Attribute holding an epoch-seconds expiry; TTL is enabled on it when set. */
  ttlAttribute?: string | undefined;
}

/** Minimal logger shape (pino's `Logger` fits) so the store does not depend on the log module. */
export interface StoreLogger {
  info(obj: object, msg: string): void;
}

export interface EnsureTablesOptions {
  /** Deadline for the whole bootstrap (describe, create, wait until ACTIVE, TTL). */
  timeoutMs: number;
  logger?: StoreLogger | undefined;
}

const NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;
const PREFIX_PATTERN = /^[A-Za-z0-9_.-]*$/;

function definitionError(table: string, problem: string): AppError {
  return new AppError('STORE.TABLE_DEFINITION_INVALID', `Table definition "${table}": ${problem}`, 500);
}

/**
 * Returns the same tables with `prefix` put in front of every name (`dev-` + `trades` = `dev-trades`).
 * This is the only place the prefix (from the service's `TABLE_PREFIX` setting) is applied; `ensureTables`
 * and repositories take names as given. Tests pass a unique prefix so their tables never collide.
 */
export function withTablePrefix<T extends Record<string, TableDefinition>>(tables: T, prefix: string): T {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new AppError(
      'STORE.TABLE_DEFINITION_INVALID',
      `Table prefix ${JSON.stringify(prefix)} may only contain letters, digits, "_", "-" and ".".`,
      500,
    );
  }
  const prefixed: Record<string, TableDefinition> = {};
  for (const [key, def] of Object.entries(tables)) prefixed[key] = { ...def, name: `${prefix}${def.name}` };
  return prefixed as T;
}

/** The CreateTable request for a definition: attribute definitions derived from every key, on-demand billing. */
export function toCreateTableInput(def: TableDefinition): CreateTableCommandInput {
  if (!NAME_PATTERN.test(def.name)) {
    throw definitionError(def.name, 'a table name is 3-255 letters, digits, "_", "-" or ".".');
  }
  const types = new Map<string, KeyAttributeType>();
  const declare = (attr: KeyAttribute): void => {
    const known = types.get(attr.name);
    if (known !== undefined && known !== attr.type) {
      throw definitionError(
        def.name,
        `attribute "${attr.name}" is declared as both ${known} and ${attr.type}.`,
      );
    }
    types.set(attr.name, attr.type);
  };
  const keySchema = (partitionKey: KeyAttribute, sortKey: KeyAttribute | undefined) => {
    declare(partitionKey);
    if (sortKey !== undefined) declare(sortKey);
    return [
      { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
      ...(sortKey === undefined ? [] : [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }]),
    ];
  };

  const input: CreateTableCommandInput = {
    TableName: def.name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: keySchema(def.partitionKey, def.sortKey),
    AttributeDefinitions: [],
  };
  const indexes = def.globalSecondaryIndexes ?? [];
  if (new Set(indexes.map((i) => i.name)).size !== indexes.length) {
    throw definitionError(def.name, 'two global secondary indexes have the same name.');
  }
  if (indexes.length > 0) {
    input.GlobalSecondaryIndexes = indexes.map((index) => {
      if (!NAME_PATTERN.test(index.name)) {
        throw definitionError(
          def.name,
          `index name "${index.name}" is not 3-255 letters, digits, "_", "-" or ".".`,
        );
      }
      const projection = index.projection ?? 'ALL';
      return {
        IndexName: index.name,
        KeySchema: keySchema(index.partitionKey, index.sortKey),
        Projection:
          typeof projection === 'string'
            ? { ProjectionType: projection }
            : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...projection.include] },
      };
    });
  }
  input.AttributeDefinitions = [...types].map(([AttributeName, AttributeType]) => ({
    AttributeName,
    AttributeType,
  }));
  return input;
}

/** Differences between what a definition asks for and what exists; empty when compatible. */
function incompatibilities(def: TableDefinition, table: TableDescription): string[] {
  const problems: string[] = [];
  const keyName = (keyType: 'HASH' | 'RANGE') =>
    table.KeySchema?.find((k) => k.KeyType === keyType)?.AttributeName;
  if (keyName('HASH') !== def.partitionKey.name) {
    problems.push(`partition key is "${keyName('HASH')}", the definition says "${def.partitionKey.name}"`);
  }
  if (keyName('RANGE') !== def.sortKey?.name) {
    problems.push(
      `sort key is "${keyName('RANGE') ?? 'none'}", the definition says "${def.sortKey?.name ?? 'none'}"`,
    );
  }
  const existing = new Set((table.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const index of def.globalSecondaryIndexes ?? []) {
    if (!existing.has(index.name))
      problems.push(`index "${index.name}" is missing (add it with a migration)`);
  }
  return problems;
}

/** Current description of a table, or undefined when it does not exist. */
async function describeTable(
  client: DynamoDBClient,
  name: string,
  signal: AbortSignal,
): Promise<TableDescription | undefined> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: name }), { abortSignal: signal });
    return out.Table;
  } catch (err) {
    if ((err as { name?: unknown }).name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

async function createTable(
  client: DynamoDBClient,
  def: TableDefinition,
  signal: AbortSignal,
): Promise<boolean> {
  try {
    await client.send(new CreateTableCommand(toCreateTableInput(def)), { abortSignal: signal });
    return true;
  } catch (err) {
    // Another replica (or a parallel test worker) is creating it right now: wait for it like our own.
    if ((err as { name?: unknown }).name === 'ResourceInUseException') return false;
    throw err;
  }
}

async function waitUntilActive(
  client: DynamoDBClient,
  name: string,
  deadline: number,
  signal: AbortSignal,
): Promise<TableDescription | undefined> {
  const maxWaitTime = Math.max(0.5, (deadline - Date.now()) / 1000);
  const result = await waitUntilTableExists(
    { client, maxWaitTime, minDelay: 0.25, maxDelay: 2, abortSignal: signal },
    { TableName: name },
  );
  return result.final?.Table;
}

async function ensureTtl(
  client: DynamoDBClient,
  def: TableDefinition & { ttlAttribute: string },
  signal: AbortSignal,
  logger: StoreLogger | undefined,
): Promise<void> {
  const read = async () =>
    (await client.send(new DescribeTimeToLiveCommand({ TableName: def.name }), { abortSignal: signal }))
      .TimeToLiveDescription;
  const check = (ttl: Awaited<ReturnType<typeof read>>): 'ok' | 'off' => {
    const status = ttl?.TimeToLiveStatus ?? 'DISABLED';
    if (status === 'DISABLED') return 'off';
    if (ttl?.AttributeName === def.ttlAttribute && (status === 'ENABLED' || status === 'ENABLING'))
      return 'ok';
    throw new AppError(
      'STORE.TABLE_MISMATCH',
      `Table "${def.name}" has TTL ${status.toLowerCase()} on "${ttl?.AttributeName ?? '?'}", the definition says "${def.ttlAttribute}".`,
      500,
    );
  };

  if (check(await read()) === 'ok') return;
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: def.name,
        TimeToLiveSpecification: { Enabled: true, AttributeName: def.ttlAttribute },
      }),
      { abortSignal: signal },
    );
    logger?.info({ table: def.name, ttlAttribute: def.ttlAttribute }, 'enabled TTL on DynamoDB table');
  } catch (err) {
    // A concurrent bootstrap enabled it first ("TimeToLive is already enabled"): fine if it is ours.
    if ((err as { name?: unknown }).name !== 'ValidationException' || check(await read()) !== 'ok') throw err;
  }
}

async function ensureTable(
  client: DynamoDBClient,
  def: TableDefinition,
  deadline: number,
  signal: AbortSignal,
  logger: StoreLogger | undefined,
): Promise<void> {
  let table = await describeTable(client, def.name, signal);
  if (table === undefined) {
    if (await createTable(client, def, signal)) logger?.info({ table: def.name }, 'created DynamoDB table');
  }
  if (table?.TableStatus !== 'ACTIVE') table = await waitUntilActive(client, def.name, deadline, signal);
  if (table !== undefined) {
    const problems = incompatibilities(def, table);
    if (problems.length > 0) {
      throw new AppError(
        'STORE.TABLE_MISMATCH',
        `Table "${def.name}" exists but differs from its definition: ${problems.join('; ')}.`,
        500,
      );
    }
  }
  if (def.ttlAttribute !== undefined)
    await ensureTtl(client, { ...def, ttlAttribute: def.ttlAttribute }, signal, logger);
}

/**
 * Creates every missing table, waits until each is ACTIVE and enables TTL where defined. Idempotent and
 * safe to run from several processes at once. Names are used as given: apply the prefix with
 * `withTablePrefix` first. Fails with a 500 when an existing table's keys, indexes or TTL differ from the
 * definition, and with a `StoreTimeoutError` naming the tables still not ready at the deadline.
 */
export async function ensureTables(
  client: DynamoDBClient,
  defs: readonly TableDefinition[],
  { timeoutMs, logger }: EnsureTablesOptions,
): Promise<void> {
  const names = defs.map((d) => d.name);
  if (new Set(names).size !== names.length) {
    throw new AppError(
      'STORE.TABLE_DEFINITION_INVALID',
      `Duplicate table names in: ${names.join(', ')}.`,
      500,
    );
  }
  defs.forEach(toCreateTableInput); // a malformed definition fails before anything is created
  const deadline = Date.now() + timeoutMs;
  const signal = AbortSignal.timeout(timeoutMs);
  const results = await Promise.allSettled(
    defs.map(async (def) => {
      try {
        await ensureTable(client, def, deadline, signal, logger);
      } catch (err) {
        if (signal.aborted || (err as { name?: unknown }).name === 'TimeoutError') {
          throw new StoreTimeoutError(
            `DynamoDB table "${def.name}" was not ready within ${timeoutMs} ms.`,
            err,
          );
        }
        throw translateDynamoError(err, { table: def.name, operation: 'table bootstrap' });
      }
    }),
  );
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) throw failures[0];
  logger?.info({ tables: names }, 'DynamoDB tables ready');
}
