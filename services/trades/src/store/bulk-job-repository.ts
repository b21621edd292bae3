/** Bulk upload jobs and their per-line errors. */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { FieldIssue } from '@tradeflow/platform/errors';
import { batchWriteAll, withStoreErrors, type TableDefinition } from '@tradeflow/platform/store';

export type BulkFormat = 'ndjson' | 'csv';
export type BulkJobState = 'RUNNING' | 'COMPLETED' | 'FAILED';

/** Counts of a job so far. */
export interface BulkCounts {
  /** Lines read and processed, the CSV header and blank lines included. */
  linesRead: number;
  accepted: number;
  rejected: number;
}

/** A bulk job as stored (and shown, minus `expiresAt`). */
export interface BulkJob extends BulkCounts {
  jobId: string;
  /** The consumer that uploaded it: the only one that sees the job. */
  consumerId: string;
  state: BulkJobState;
  format: BulkFormat;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string | undefined;
  /** Why a FAILED job stopped. */
  error?: string | undefined;
}

/** One rejected line. */
export interface BulkLineError {
  line: number;
  errors: FieldIssue[];
}

export interface BulkErrorsPage {
  items: BulkLineError[];
  /** The last line of this page when more may follow. */
  lastLine: number | undefined;
}

/** The bulk-jobs and bulk-errors tables. */
export class BulkJobRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: { jobs: TableDefinition; errors: TableDefinition },
    private readonly retentionMs: number,
  ) {}

  /** Writes a new RUNNING job. */
  async create(job: BulkJob): Promise<void> {
    await withStoreErrors(
      () =>
        this.doc.send(
          new PutCommand({
            TableName: this.tables.jobs.name,
            Item: { ...job, expiresAt: this.expiry() },
            ConditionExpression: 'attribute_not_exists(jobId)',
          }),
        ),
      { table: this.tables.jobs.name, operation: 'PutItem' },
    );
  }

  /** Records the counts after a chunk (absolute values: writing them twice is harmless). */
  async progress(jobId: string, counts: BulkCounts, now: string): Promise<void> {
    await this.update(jobId, counts, now, {});
  }

  /** Ends the job with its final counts. */
  async finish(
    jobId: string,
    state: Exclude<BulkJobState, 'RUNNING'>,
    counts: BulkCounts,
    now: string,
    error?: string,
  ): Promise<void> {
    await this.update(jobId, counts, now, {
      state,
      finishedAt: now,
      ...(error === undefined ? {} : { error }),
    });
  }

  /** The job, or undefined. */
  async get(jobId: string): Promise<BulkJob | undefined> {
    const out = await withStoreErrors(
      () =>
        this.doc.send(
          new GetCommand({ TableName: this.tables.jobs.name, Key: { jobId }, ConsistentRead: true }),
        ),
      { table: this.tables.jobs.name, operation: 'GetItem' },
    );
    const item = out.Item;
    if (item === undefined) return undefined;
    return {
      jobId: String(item.jobId),
      consumerId: String(item.consumerId),
      state: item.state as BulkJobState,
      format: item.format as BulkFormat,
      linesRead: Number(item.linesRead),
      accepted: Number(item.accepted),
      rejected: Number(item.rejected),
      startedAt: String(item.startedAt),
      updatedAt: String(item.updatedAt),
      finishedAt: typeof item.finishedAt === 'string' ? item.finishedAt : undefined,
      error: typeof item.error === 'string' ? item.error : undefined,
    };
  }

  /** Stores line errors (a line written twice is the same item). */
  async addErrors(jobId: string, errors: readonly BulkLineError[]): Promise<void> {
    if (errors.length === 0) return;
    const expiresAt = this.expiry();
    await batchWriteAll(
      this.doc,
      this.tables.errors,
      errors.map((e) => ({ PutRequest: { Item: { jobId, line: e.line, errors: e.errors, expiresAt } } })),
    );
  }

  /** Line errors in line order, after `afterLine`. */
  async listErrors(jobId: string, limit: number, afterLine?: number): Promise<BulkErrorsPage> {
    const out = await withStoreErrors(
      () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tables.errors.name,
            KeyConditionExpression: 'jobId = :job',
            ExpressionAttributeValues: { ':job': jobId },
            Limit: limit,
            ExclusiveStartKey: afterLine === undefined ? undefined : { jobId, line: afterLine },
          }),
        ),
      { table: this.tables.errors.name, operation: 'Query' },
    );
    const items = (out.Items ?? []).map((item) => ({
      line: Number(item.line),
      errors: item.errors as FieldIssue[],
    }));
    const last = out.LastEvaluatedKey;
    return { items, lastLine: last === undefined ? undefined : Number(last.line) };
  }

  private async update(
    jobId: string,
    counts: BulkCounts,
    now: string,
    extra: Record<string, string>,
  ): Promise<void> {
    const values: Record<string, string | number> = {
      ':linesRead': counts.linesRead,
      ':accepted': counts.accepted,
      ':rejected': counts.rejected,
      ':now': now,
      ':running': 'RUNNING',
    };
    const names: Record<string, string> = { '#state': 'state' };
    let set = 'linesRead = :linesRead, accepted = :accepted, rejected = :rejected, updatedAt = :now';
    for (const [name, value] of Object.entries(extra)) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      set += `, #${name} = :${name}`;
    }
    await withStoreErrors(
      () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tables.jobs.name,
            Key: { jobId },
            UpdateExpression: `SET ${set}`,
            // Only the running job's own importer writes; a finished job never changes again.
            ConditionExpression: '#state = :running',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      { table: this.tables.jobs.name, operation: 'UpdateItem' },
    );
  }

  private expiry(): number {
    return Math.floor((Date.now() + this.retentionMs) / 1000);
  }
}
