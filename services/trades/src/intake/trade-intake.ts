/**
 * Intake of single trades and batches, amendments and cancellations. A trade is written RECEIVED first and
 * answered only once its `trades.submitted` event is acknowledged; when the publish fails, the trade is
 * deleted again (nothing stays RECEIVED without an event) and the client gets a 503 it can retry.
 *
 * Single submissions go through a group commit: those that arrive while earlier ones are being written wait
 * and are written together (BatchWriteItem) and published together (one publishBatch, each event in its own
 * request's trace). Every caller of a group gets the group's fate: accepted, or the 503.
 */
import { randomUUID } from 'node:crypto';
import { context, ROOT_CONTEXT, trace, type Context, type Link } from '@opentelemetry/api';
import type { Bus } from '@tradeflow/platform/bus';
import {
  ConflictError,
  UnavailableError,
  ValidationError,
  type FieldIssue,
} from '@tradeflow/platform/errors';
import { canActFor, type Identity } from '@tradeflow/platform/identity';
import { StoreConflictError } from '@tradeflow/platform/store';
import { withSpan } from '@tradeflow/platform/trace';
import {
  accountNotFound,
  accountNotFoundIssue,
  canApply,
  receivedTrade,
  statusUrlOf,
  tickSizeProblem,
  tradeNotFound,
  type Channel,
  type InstrumentLookup,
  type Trade,
  type TradeAction,
  type TradeAmendment,
  type TradeRequest,
} from '../domain';
import { cancelledMessage, submittedMessage } from '../events/submitted-event';
import type { TradeRepository } from '../store';
import type { TradesMetrics } from '../trades-metrics';
import { forEachLimit } from '../concurrency';
import { GroupCommit, type GroupCommitOptions } from './group-commit';
import { parseTradeInput } from './trade-input';

/** Structural logger (pino fits). */
export interface IntakeLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface TradeIntakeDeps {
  trades: TradeRepository;
  bus: Bus;
  instruments: InstrumentLookup;
  metrics: TradesMetrics;
  logger: IntakeLogger;
  /** The `trades.submitted` topic. */
  submittedTopic: string;
  /** How single submissions are grouped (defaults: DEFAULT_SINGLE_GROUPS). */
  singleGroups?: GroupCommitOptions;
  clock?: () => Date;
  newId?: () => string;
}

/** The answer to an accepted trade. */
export interface AcceptedTrade {
  tradeId: string;
  status: 'RECEIVED';
  statusUrl: string;
}

/** One item's result in a batch answer: accepted, invalid, or for an account the caller does not act for. */
export type BatchItemResult =
  | { index: number; status: 202; tradeId: string; statusUrl: string }
  | { index: number; status: 400 | 404; errors: FieldIssue[] };

/** The answer to a batch. */
export interface BatchResult {
  accepted: number;
  rejected: number;
  results: BatchItemResult[];
}

/** The publish of a trade's event failed; the trade was not kept. */
export class PublishFailedError extends UnavailableError {
  constructor(
    cause: unknown,
    detail = 'The trade could not be handed to validation; it was not accepted. Try again.',
  ) {
    super(detail, 'TRADES.PUBLISH_FAILED', cause);
  }
}

/** Single submissions per group, groups in flight and submissions waiting, unless configured otherwise. */
export const DEFAULT_SINGLE_GROUPS: GroupCommitOptions = { maxGroup: 100, maxInFlight: 2, maxQueued: 2_000 };

/** A single submission waiting for its group: the trade and the request's trace, for its event. */
interface PendingTrade {
  trade: Trade;
  trace: Context;
}

/** A single submission's fate in its group: it stands, or its publish failed and it was taken back. */
type SingleResult = { stands: true } | { stands: false; publishError: unknown };

// Conditional deletes in flight when a group's publish failed and its trades are taken back.
const WITHDRAW_CONCURRENCY = 8;

/** Builds and submits trades. */
export class TradeIntake {
  private readonly clock: () => Date;
  private readonly newId: () => string;
  private readonly singles: GroupCommit<PendingTrade, SingleResult>;

  constructor(private readonly deps: TradeIntakeDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.newId = deps.newId ?? randomUUID;
    this.singles = new GroupCommit((group) => this.traced(group), deps.singleGroups ?? DEFAULT_SINGLE_GROUPS);
  }

  /** Reads one trade request; throws a ValidationError naming every invalid field. */
  parse(input: unknown, channel: Channel): TradeRequest {
    const parsed = parseTradeInput(input, this.deps.instruments);
    if (parsed.ok) return parsed.request;
    this.deps.metrics.intake.inc({ channel, result: 'rejected' });
    throw new ValidationError(parsed.issues, 'The trade is invalid.');
  }

  /**
   * Accepts one trade of `caller`: write RECEIVED, publish, answer once the bus acknowledged. A trade for an
   * account the caller does not act for is a 404 naming the account.
   */
  async submit(input: unknown, caller: Identity): Promise<AcceptedTrade> {
    const request = this.parse(input, 'single');
    if (!canActFor(caller, request.accountId)) {
      this.deps.metrics.intake.inc({ channel: 'single', result: 'rejected' });
      throw accountNotFound(request.accountId);
    }
    const now = this.clock().toISOString();
    const trade = receivedTrade(request, 'single', this.newId(), now);
    const result = await this.singles.submit({ trade, trace: context.active() });
    if (!result.stands) throw new PublishFailedError(result.publishError);
    this.deps.metrics.intake.inc({ channel: 'single', result: 'accepted' });
    return accepted(trade);
  }

  /**
   * Runs a group's commit in a trace of its own: a lone request's, so its write shows in its trace; for a
   * group, an `intake group` span linked to every request's span, rather than inside whichever request
   * happened to start the group (each event still continues its own request's trace).
   */
  private traced(group: PendingTrade[]): Promise<SingleResult[]> {
    const [only] = group;
    if (group.length === 1 && only !== undefined)
      return context.with(only.trace, () => this.commitSingles(group));
    const links = group.flatMap((p): Link[] => {
      const span = trace.getSpanContext(p.trace);
      return span === undefined ? [] : [{ context: span }];
    });
    return withSpan(
      'trades intake group',
      { parent: ROOT_CONTEXT, links, attributes: { 'tradeflow.group_size': group.length } },
      () => this.commitSingles(group),
    );
  }

  /**
   * Writes a group of single submissions (BatchWriteItem) and publishes their events in one call, each in
   * its request's trace. A failed write takes back what was written and fails every caller; a failed publish
   * takes back each trade that validation has not decided yet (a conditional delete: a publish that timed out
   * may still have got through) and answers, per trade, whether it stands.
   */
  private async commitSingles(group: PendingTrade[]): Promise<SingleResult[]> {
    const trades = group.map((p) => p.trade);
    try {
      await this.deps.trades.createMany(trades);
    } catch (err) {
      await this.withdrawMany(trades, err);
      throw err;
    }
    try {
      await this.deps.bus.publishBatch(
        group.map((p) => ({ ...submittedMessage(p.trade, this.deps.submittedTopic), traceContext: p.trace })),
      );
      return group.map(() => ({ stands: true }));
    } catch (err) {
      const results: SingleResult[] = group.map(() => ({ stands: true }));
      await forEachLimit([...trades.keys()], WITHDRAW_CONCURRENCY, async (i) => {
        // Validation already decided it when the delete is refused: the event did get through.
        if (await this.withdraw(trades[i] as Trade, err)) results[i] = { stands: false, publishError: err };
      });
      return results;
    }
  }

  /**
   * Accepts the valid items of a batch and reports every invalid one; valid items are written together and
   * published together. When the write or the publish fails, the written trades are deleted again and the
   * whole batch is a 503 (nothing of it was accepted). An item for an account `caller` does not act for is
   * a 404 item.
   */
  async submitBatch(items: readonly unknown[], caller: Identity): Promise<BatchResult> {
    const now = this.clock().toISOString();
    const results: BatchItemResult[] = [];
    const trades: Trade[] = [];
    items.forEach((item, index) => {
      const parsed = parseTradeInput(item, this.deps.instruments);
      if (!parsed.ok) {
        results.push({ index, status: 400, errors: parsed.issues });
        return;
      }
      if (!canActFor(caller, parsed.request.accountId)) {
        results.push({ index, status: 404, errors: [accountNotFoundIssue(parsed.request.accountId)] });
        return;
      }
      const trade = receivedTrade(parsed.request, 'batch', this.newId(), now);
      trades.push(trade);
      results.push({ index, status: 202, tradeId: trade.tradeId, statusUrl: statusUrlOf(trade.tradeId) });
    });
    if (trades.length > 0) {
      try {
        await this.deps.trades.createMany(trades);
      } catch (err) {
        // Part of the batch may be written: take it back so none of it stays RECEIVED without an event.
        await this.withdrawMany(trades, err);
        throw err;
      }
      try {
        await this.deps.bus.publishBatch(trades.map((t) => submittedMessage(t, this.deps.submittedTopic)));
      } catch (err) {
        await this.withdrawMany(trades, err);
        throw new PublishFailedError(err);
      }
    }
    const rejected = results.length - trades.length;
    if (trades.length > 0)
      this.deps.metrics.intake.inc({ channel: 'batch', result: 'accepted' }, trades.length);
    if (rejected > 0) this.deps.metrics.intake.inc({ channel: 'batch', result: 'rejected' }, rejected);
    return { accepted: trades.length, rejected, results };
  }

  /**
   * Amends price and/or quantity: version + 1, AMENDED, republished for validation. The event is published
   * after the write; if that fails the trade is put back as it was and the client gets a 503.
   */
  async amend(tradeId: string, change: TradeAmendment, caller: Identity): Promise<Trade> {
    const current = await this.current(tradeId, 'amend', caller);
    const price = change.price ?? current.price;
    const problem =
      change.price === undefined ? undefined : tickSizeProblem(current.symbol, price, this.deps.instruments);
    if (problem !== undefined)
      throw new ValidationError([{ field: '/price', message: problem }], 'The amendment is invalid.');
    const amended = await this.concurrently(() =>
      this.deps.trades.amend(current, { price, quantity: change.quantity ?? current.quantity }, this.now()),
    );
    try {
      await this.deps.bus.publish(submittedMessage(amended, this.deps.submittedTopic, current));
    } catch (err) {
      const reverted = await this.deps.trades.revert(amended, current).catch((revertError: unknown) => {
        this.deps.logger.error(
          { tradeId, version: amended.version, err: revertError },
          'amendment left in place without its event: the revert failed',
        );
        return true;
      });
      if (reverted) throw new PublishFailedError(err);
    }
    return amended;
  }

  /**
   * Cancels a trade and tells validation (a `TradeCancelled` on `trades.submitted`, so it releases what the
   * version counted). Cancelling a CANCELLED trade changes nothing and publishes its event again: when the
   * publish fails the trade stays CANCELLED (putting it back could strand an outcome that arrived meanwhile)
   * and the 503 asks the client to repeat the cancel, which is safe because validation releases at most once.
   */
  async cancel(tradeId: string, reason: string | undefined, caller: Identity): Promise<Trade> {
    const found = await this.deps.trades.get(tradeId);
    if (found === undefined || !canActFor(caller, found.accountId)) throw tradeNotFound(tradeId);
    const cancelled =
      found.status === 'CANCELLED'
        ? found
        : await this.concurrently(() =>
            this.deps.trades.cancel(this.allowed(found, 'cancel'), reason, this.now()),
          );
    try {
      await this.deps.bus.publish(cancelledMessage(cancelled, this.deps.submittedTopic));
    } catch (err) {
      throw new PublishFailedError(
        err,
        "The trade is cancelled, but validation has not been told yet, so its notional still counts towards the account's daily limit. Repeat the cancel (it is safe) until it answers 200.",
      );
    }
    return cancelled;
  }

  /** The trade, when it is the caller's (otherwise it does not exist) and `action` is allowed in its status. */
  private async current(tradeId: string, action: TradeAction, caller: Identity): Promise<Trade> {
    const trade = await this.deps.trades.get(tradeId);
    if (trade === undefined || !canActFor(caller, trade.accountId)) throw tradeNotFound(tradeId);
    return this.allowed(trade, action);
  }

  /** `trade` when `action` is allowed in its status; a 409 otherwise. */
  private allowed(trade: Trade, action: TradeAction): Trade {
    if (!canApply(action, trade.status)) {
      throw new ConflictError(
        `A ${trade.status} trade cannot be ${action === 'amend' ? 'amended' : 'cancelled'}.`,
        'TRADES.INVALID_TRANSITION',
      );
    }
    return trade;
  }

  /** Runs a conditional write; losing the race to another writer is a 409 the client can retry. */
  private async concurrently<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (err instanceof StoreConflictError)
        throw new ConflictError(
          'The trade changed while this request was handled; read it again and retry.',
          'TRADES.CONCURRENT_UPDATE',
          err,
        );
      throw err;
    }
  }

  /** Deletes a trade whose publish failed; false when validation had already decided it (so it stays). */
  private async withdraw(trade: Trade, publishError: unknown): Promise<boolean> {
    try {
      return await this.deps.trades.deleteIfUnprocessed(trade.tradeId, trade.version);
    } catch (err) {
      this.deps.logger.error(
        { tradeId: trade.tradeId, err, publishError },
        'trade left RECEIVED without its event: the publish failed and so did the delete',
      );
      return true;
    }
  }

  private async withdrawMany(trades: readonly Trade[], cause: unknown): Promise<void> {
    try {
      await this.deps.trades.deleteMany(trades.map((t) => t.tradeId));
    } catch (err) {
      this.deps.logger.error(
        { tradeIds: trades.map((t) => t.tradeId), err, cause },
        'batch trades left RECEIVED without their events: the write or publish failed and so did the delete',
      );
    }
  }

  private now(): string {
    return this.clock().toISOString();
  }
}

function accepted(trade: Trade): AcceptedTrade {
  return { tradeId: trade.tradeId, status: 'RECEIVED', statusUrl: statusUrlOf(trade.tradeId) };
}
