/** The trades API (see ../../openapi.yaml): intake, bulk jobs, the lifecycle and the queries. */
import type { Express, Request } from 'express';
import { AppError, NotFoundError, ValidationError } from '@tradeflow/platform/errors';
import { parseWith, UnsupportedMediaTypeError } from '@tradeflow/platform/http';
import { canActFor, requireIdentity, type Identity } from '@tradeflow/platform/identity';
import {
  accountNotFound,
  AccountTradesCursor,
  BulkErrorsCursor,
  bulkJobUrlOf,
  decodeCursor,
  encodeCursor,
  invalidCursor,
  isPlausibleId,
  statusUrlOf,
  toView,
  tradeNotFound,
  TradeAmendment,
  TradeCancellation,
  utcInstant,
} from '../domain';
import type { BulkImporter } from '../intake/bulk-importer';
import { openUpload } from '../intake/bulk-upload';
import type { TradeIntake } from '../intake/trade-intake';
import type { BulkFormat, BulkJob, BulkJobRepository, TradeRepository } from '../store';
import { IDEMPOTENCY_KEY_HEADER, send, type IdempotencyGuard } from './idempotency';
import {
  AccountPath,
  AccountTradesQuery,
  batchRequestSchema,
  BulkErrorsQuery,
  DEFAULT_PAGE_SIZE,
} from './query-schemas';

/** Media types of bulk uploads, and the format each one is. */
export const BULK_MEDIA_TYPES: Readonly<Record<string, BulkFormat>> = {
  'application/x-ndjson': 'ndjson',
  'text/csv': 'csv',
};

export interface TradesRouteDeps {
  intake: TradeIntake;
  bulk: BulkImporter;
  trades: TradeRepository;
  jobs: BulkJobRepository;
  idempotency: IdempotencyGuard;
  settings: { batchMaxItems: number; maxLineBytes: number };
}

/**
 * Mounts the trades routes. Every route reads the caller the gateway forwards (401 without one) and shows it
 * only its own accounts' trades and its own bulk jobs; anything else is a 404 like a missing one.
 */
export function tradesRoutes(deps: TradesRouteDeps): (app: Express) => void {
  const { intake, bulk, trades, jobs, idempotency, settings } = deps;
  const BatchRequest = batchRequestSchema(settings.batchMaxItems);

  return (app) => {
    app.post('/v1/trades', async (req, res) => {
      const caller = requireIdentity(req.headers);
      await idempotency.run(req, res, caller, 'POST /v1/trades', async () => {
        const accepted = await intake.submit(req.body, caller);
        return { status: 202, body: accepted, headers: { Location: accepted.statusUrl } };
      });
    });

    app.post('/v1/trades/batch', async (req, res) => {
      const caller = requireIdentity(req.headers);
      const { trades: items } = parseWith(BatchRequest, req.body);
      await idempotency.run(req, res, caller, 'POST /v1/trades/batch', async () => ({
        status: 200,
        body: await intake.submitBatch(items, caller),
      }));
    });

    app.post('/v1/trades/bulk', async (req, res) => {
      try {
        const caller = requireIdentity(req.headers);
        const format = bulkFormatOf(req);
        const upload = await openUpload(format, req, settings.maxLineBytes);
        const job = await bulk.createJob(format, caller.consumerId);
        const statusUrl = bulkJobUrlOf(job.jobId);
        // The answer starts now (the client learns the job at once) and completes when the upload is imported.
        res.status(202).set({ Location: statusUrl, 'Content-Type': 'application/json; charset=utf-8' });
        res.write(JSON.stringify({ jobId: job.jobId, statusUrl }));
        await bulk.run(job, upload, caller);
      } catch (err) {
        // The client went away before the job existed: its fault, not ours.
        if (!(err instanceof AppError) && req.destroyed)
          throw new AppError('REQUEST.ABORTED', 'The upload was aborted by the client.', 400, { cause: err });
        // The rest of the body is not read: close the connection after the problem rather than stall it.
        if (!res.headersSent) res.set('Connection', 'close');
        throw err;
      }
      if (!req.complete) {
        // The import stopped before the upload did: end the answer and drop the rest of the upload.
        res.once('finish', () => req.socket.destroy());
      }
      res.end();
    });

    app.get('/v1/trades/bulk/:jobId', async (req, res) => {
      res.json(jobView(await findJob(jobs, req.params.jobId, requireIdentity(req.headers))));
    });

    app.get('/v1/trades/bulk/:jobId/errors', async (req, res) => {
      const caller = requireIdentity(req.headers);
      const query = parseWith(BulkErrorsQuery, req.query);
      const job = await findJob(jobs, req.params.jobId, caller);
      let afterLine: number | undefined;
      if (query.cursor !== undefined) {
        const cursor = decodeCursor(query.cursor, BulkErrorsCursor);
        if (cursor.j !== job.jobId) throw invalidCursor();
        afterLine = cursor.l;
      }
      const page = await jobs.listErrors(job.jobId, query.limit ?? DEFAULT_PAGE_SIZE, afterLine);
      res.json({
        items: page.items,
        nextCursor: page.lastLine === undefined ? null : encodeCursor({ j: job.jobId, l: page.lastLine }),
      });
    });

    app.get('/v1/trades/:tradeId', async (req, res) => {
      res.json(toView(await findTrade(trades, req.params.tradeId, requireIdentity(req.headers))));
    });

    app.patch('/v1/trades/:tradeId', async (req, res) => {
      const caller = requireIdentity(req.headers);
      const change = parseWith(TradeAmendment, req.body);
      const tradeId = plausibleTradeId(req.params.tradeId);
      const amended = await intake.amend(tradeId, change, caller);
      res.set('Location', statusUrlOf(amended.tradeId)).json(toView(amended));
    });

    app.post('/v1/trades/:tradeId/cancel', async (req, res) => {
      const caller = requireIdentity(req.headers);
      const { reason } = parseWith(TradeCancellation, req.body ?? {});
      const tradeId = plausibleTradeId(req.params.tradeId);
      send(res, { status: 200, body: toView(await intake.cancel(tradeId, reason, caller)) });
    });

    app.get('/v1/accounts/:accountId/trades', async (req, res) => {
      const caller = requireIdentity(req.headers);
      const { accountId } = parseWith(AccountPath, req.params);
      if (!canActFor(caller, accountId)) throw accountNotFound(accountId);
      const query = parseWith(AccountTradesQuery, req.query);
      let after: { accountId: string; accountTime: string; tradeId: string } | undefined;
      if (query.cursor !== undefined) {
        const cursor = decodeCursor(query.cursor, AccountTradesCursor);
        if (cursor.a !== accountId) throw invalidCursor();
        after = { accountId, accountTime: cursor.t, tradeId: cursor.id };
      }
      const page = await trades.listByAccount({
        accountId,
        statuses: query.status,
        from: query.from === undefined ? undefined : utcInstant(query.from),
        to: query.to === undefined ? undefined : utcInstant(query.to),
        limit: query.limit ?? DEFAULT_PAGE_SIZE,
        after,
      });
      res.json({
        items: page.items.map(toView),
        nextCursor:
          page.next === undefined
            ? null
            : encodeCursor({ a: accountId, t: page.next.accountTime, id: page.next.tradeId }),
      });
    });
  };
}

/** The bulk format of the request's media type; 415 for any other, and for a compressed or non-UTF-8 body. */
function bulkFormatOf(req: Request): BulkFormat {
  const accepted = Object.keys(BULK_MEDIA_TYPES);
  const type = req.is(accepted);
  const charset = /;\s*charset="?([^";]+)"?/i.exec(req.get('content-type') ?? '')?.[1]?.toLowerCase();
  const encoding = req.get('content-encoding')?.toLowerCase();
  if (typeof type !== 'string' || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8'))
    throw new UnsupportedMediaTypeError(accepted.map((t) => `${t}; charset=utf-8`));
  if (encoding !== undefined && encoding !== 'identity')
    throw new UnsupportedMediaTypeError(accepted.map((t) => `${t} without Content-Encoding`));
  if (req.get(IDEMPOTENCY_KEY_HEADER) !== undefined) {
    throw new ValidationError(
      [
        {
          field: IDEMPOTENCY_KEY_HEADER,
          message:
            'is not supported on bulk uploads: every upload is a new job (poll it instead of re-sending)',
        },
      ],
      'Bulk uploads do not take an Idempotency-Key.',
    );
  }
  return BULK_MEDIA_TYPES[type] as BulkFormat;
}

/** `id` when it could name a trade; otherwise the 404 it would get anyway. */
function plausibleTradeId(id: string): string {
  if (!isPlausibleId(id)) throw tradeNotFound(id);
  return id;
}

/** The trade when it exists and is one of the caller's accounts'. */
async function findTrade(trades: TradeRepository, id: string, caller: Identity) {
  const trade = isPlausibleId(id) ? await trades.get(id) : undefined;
  if (trade === undefined || !canActFor(caller, trade.accountId)) throw tradeNotFound(id);
  return trade;
}

/** The job when it exists and the caller's consumer created it. */
async function findJob(jobs: BulkJobRepository, id: string, caller: Identity): Promise<BulkJob> {
  const job = isPlausibleId(id) ? await jobs.get(id) : undefined;
  if (job === undefined || job.consumerId !== caller.consumerId)
    throw new NotFoundError(
      `No bulk job has the id ${JSON.stringify(id.slice(0, 200))}.`,
      'TRADES.BULK_JOB_NOT_FOUND',
    );
  return job;
}

/** The public view of a job (optional members only when set). */
function jobView(job: BulkJob): Record<string, unknown> {
  const view: Record<string, unknown> = {
    jobId: job.jobId,
    state: job.state,
    format: job.format,
    linesRead: job.linesRead,
    accepted: job.accepted,
    rejected: job.rejected,
    startedAt: job.startedAt,
    updatedAt: job.updatedAt,
    errorsUrl: `${bulkJobUrlOf(job.jobId)}/errors`,
  };
  if (job.finishedAt !== undefined) view.finishedAt = job.finishedAt;
  if (job.error !== undefined) view.error = job.error;
  return view;
}
