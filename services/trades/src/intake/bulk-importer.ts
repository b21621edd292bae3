/**
 * Bulk imports: the lines of an open upload are read one at a time (the request is never buffered whole),
 * gathered into chunks, and each chunk's trades are written with BatchWriteItem and published with one
 * publishBatch before the job's counts move on. Trade ids are derived from (job, line), so a chunk written
 * again after a failed attempt addresses the same trades and publishes the same event ids.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BusError, type Bus } from '@tradeflow/platform/bus';
import type { FieldIssue } from '@tradeflow/platform/errors';
import { canActFor, type Identity } from '@tradeflow/platform/identity';
import { isRetriableStoreError } from '@tradeflow/platform/store';
import {
  accountNotFoundIssue,
  bulkTradeId,
  receivedTrade,
  type InstrumentLookup,
  type Trade,
} from '../domain';
import { submittedMessage } from '../events/submitted-event';
import type {
  BulkCounts,
  BulkFormat,
  BulkJob,
  BulkJobRepository,
  BulkLineError,
  TradeRepository,
} from '../store';
import type { TradesMetrics } from '../trades-metrics';
import { isBlank } from './line-splitter';
import type { OpenUpload } from './bulk-upload';
import { parseTradeInput } from './trade-input';

/** Structural logger (pino fits). */
export interface ImportLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface BulkSettings {
  /** Lines per chunk. */
  chunkSize: number;
  /** Longest line, in bytes. */
  maxLineBytes: number;
  /** Attempts per chunk before the job fails. */
  chunkAttempts: number;
}

export interface BulkImporterDeps {
  trades: TradeRepository;
  jobs: BulkJobRepository;
  bus: Bus;
  instruments: InstrumentLookup;
  metrics: TradesMetrics;
  logger: ImportLogger;
  submittedTopic: string;
  settings: BulkSettings;
  clock?: () => Date;
  newId?: () => string;
}

/** Lines gathered since the last flush. */
interface Chunk {
  trades: Trade[];
  errors: BulkLineError[];
  /** Number of the last line in the chunk (0 when empty). */
  lastLine: number;
  lines: number;
}

/** Delay before retry `attempt` of a chunk: 200 ms doubling up to 5 s, with full jitter. */
function retryDelay(attempt: number): number {
  return Math.random() * Math.min(5_000, 200 * 2 ** (attempt - 1));
}

function emptyChunk(): Chunk {
  return { trades: [], errors: [], lastLine: 0, lines: 0 };
}

/** The upload stopped before its end (the client went away, the connection broke). */
class UploadInterrupted extends Error {
  constructor(readonly reason: unknown) {
    super('upload interrupted');
  }
}

/** Creates bulk jobs and runs them. */
export class BulkImporter {
  private readonly clock: () => Date;
  private readonly newId: () => string;

  constructor(private readonly deps: BulkImporterDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.newId = deps.newId ?? randomUUID;
  }

  /** Writes a new RUNNING job of consumer `consumerId` (the only one that may see it). */
  async createJob(format: BulkFormat, consumerId: string): Promise<BulkJob> {
    const now = this.clock().toISOString();
    const job: BulkJob = {
      jobId: this.newId(),
      consumerId,
      state: 'RUNNING',
      format,
      linesRead: 0,
      accepted: 0,
      rejected: 0,
      startedAt: now,
      updatedAt: now,
    };
    await this.deps.jobs.create(job);
    return job;
  }

  /**
   * Imports every line of `upload` into `job` and finishes the job: COMPLETED at the end of the upload, FAILED
   * when the upload broke off (the complete lines before the break are imported and counted) or a chunk could
   * not be written or published. A line for an account `caller` does not act for is a line error. Never
   * rejects; resolves with the final counts and state.
   */
  async run(
    job: BulkJob,
    upload: OpenUpload,
    caller: Identity,
  ): Promise<Pick<BulkJob, 'state' | 'error'> & BulkCounts> {
    const counts: BulkCounts = { linesRead: upload.headerLines, accepted: 0, rejected: 0 };
    const { chunkSize } = this.deps.settings;
    let chunk = emptyChunk();
    try {
      let interrupted: UploadInterrupted | undefined;
      for (;;) {
        let line;
        try {
          line = await upload.next();
        } catch (err) {
          interrupted = new UploadInterrupted(err);
          break;
        }
        if (line === undefined) break;
        this.add(job.jobId, upload, caller, line, chunk);
        if (chunk.lines >= chunkSize) {
          await this.flush(job.jobId, chunk, counts);
          chunk = emptyChunk();
        }
      }
      await this.flush(job.jobId, chunk, counts);
      if (interrupted !== undefined) {
        const reason = `The upload ended early (${describe(interrupted.reason)}); the ${counts.linesRead} complete lines before were imported.`;
        return await this.finish(job, 'FAILED', counts, reason);
      }
      return await this.finish(job, 'COMPLETED', counts);
    } catch (err) {
      this.deps.logger.error({ jobId: job.jobId, err, ...counts }, 'bulk import failed');
      const reason = `Lines after ${counts.linesRead} were not imported: ${describe(err)}`;
      return this.finish(job, 'FAILED', counts, reason).catch((finishError: unknown) => {
        this.deps.logger.error(
          { jobId: job.jobId, err: finishError },
          'could not record the failure of a bulk job',
        );
        return { ...counts, state: 'FAILED' as const, error: reason };
      });
    }
  }

  /** Reads one line into the chunk: a trade, an error, or nothing (a blank line). */
  private add(
    jobId: string,
    upload: OpenUpload,
    caller: Identity,
    line: { number: number; text?: string },
    chunk: Chunk,
  ): void {
    chunk.lines++;
    chunk.lastLine = line.number;
    const reject = (errors: FieldIssue[]) => chunk.errors.push({ line: line.number, errors });
    if (line.text === undefined) {
      reject([{ field: '', message: `The line is longer than ${this.deps.settings.maxLineBytes} bytes.` }]);
      return;
    }
    if (isBlank(line.text)) return;
    const decoded = upload.decode(line.text);
    if (!decoded.ok) {
      reject(decoded.issues);
      return;
    }
    const parsed = parseTradeInput(decoded.value, this.deps.instruments);
    if (!parsed.ok) {
      reject(parsed.issues);
      return;
    }
    if (!canActFor(caller, parsed.request.accountId)) {
      reject([accountNotFoundIssue(parsed.request.accountId)]);
      return;
    }
    const now = this.clock().toISOString();
    chunk.trades.push({
      ...receivedTrade(parsed.request, 'bulk', bulkTradeId(jobId, line.number), now),
      bulkJobId: jobId,
      bulkLine: line.number,
    });
  }

  /**
   * Writes the chunk's trades and line errors, publishes its events, then records the counts. A failed attempt
   * is retried (writing only the trades not there yet); after the last one the chunk's trades are deleted
   * again, so none stays RECEIVED without an event, and the error propagates.
   */
  private async flush(jobId: string, chunk: Chunk, counts: BulkCounts): Promise<void> {
    if (chunk.lines === 0) return;
    const { trades, jobs, bus } = this.deps;
    const messages = chunk.trades.map((t) => submittedMessage(t, this.deps.submittedTopic));
    for (let attempt = 1; ; attempt++) {
      try {
        let toWrite = chunk.trades;
        if (attempt > 1) {
          const existing = await trades.existing(chunk.trades.map((t) => t.tradeId));
          toWrite = chunk.trades.filter((t) => !existing.has(t.tradeId));
        }
        await trades.createMany(toWrite);
        await jobs.addErrors(jobId, chunk.errors);
        if (messages.length > 0) await bus.publishBatch(messages);
        break;
      } catch (err) {
        if (attempt >= this.deps.settings.chunkAttempts || !isRetriable(err)) {
          await trades
            .deleteMany(chunk.trades.map((t) => t.tradeId))
            .catch((deleteError: unknown) =>
              this.deps.logger.error(
                { jobId, firstLine: chunk.trades[0]?.bulkLine, err: deleteError },
                'bulk trades left RECEIVED without their events: the chunk failed and so did the delete',
              ),
            );
          throw err;
        }
        this.deps.logger.warn(
          { jobId, attempt, lastLine: chunk.lastLine, err },
          'bulk chunk failed; retrying',
        );
        await sleep(retryDelay(attempt));
      }
    }
    counts.linesRead = chunk.lastLine;
    counts.accepted += chunk.trades.length;
    counts.rejected += chunk.errors.length;
    await jobs.progress(jobId, counts, this.clock().toISOString());
    const { metrics } = this.deps;
    if (chunk.trades.length > 0) {
      metrics.bulkLines.inc({ result: 'accepted' }, chunk.trades.length);
      metrics.intake.inc({ channel: 'bulk', result: 'accepted' }, chunk.trades.length);
    }
    if (chunk.errors.length > 0) {
      metrics.bulkLines.inc({ result: 'rejected' }, chunk.errors.length);
      metrics.intake.inc({ channel: 'bulk', result: 'rejected' }, chunk.errors.length);
    }
  }

  private async finish(
    job: BulkJob,
    state: 'COMPLETED' | 'FAILED',
    counts: BulkCounts,
    error?: string,
  ): Promise<Pick<BulkJob, 'state' | 'error'> & BulkCounts> {
    await this.deps.jobs.finish(job.jobId, state, counts, this.clock().toISOString(), error);
    this.deps.logger.info({ jobId: job.jobId, state, ...counts, error }, 'bulk import finished');
    return { ...counts, state, error };
  }
}

/** True when trying the same chunk again may succeed. */
function isRetriable(err: unknown): boolean {
  return isRetriableStoreError(err) || (err instanceof BusError && err.retriable);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
