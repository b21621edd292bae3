/** A trade as the trades service keeps it, and the rules of its lifecycle. */
import type { IntakeChannel, RuleFailure, Side, TradeStatus } from '@tradeflow/contracts';
import type { z } from 'zod';
import type { TradeRequest } from './trade-request';

/** How a trade entered the system (`single`, `batch`, `bulk`). */
export type Channel = z.infer<typeof IntakeChannel>;

/** The state of one trade. `version` is 1 on submission and +1 on each amendment; outcomes carry it back. */
export interface Trade {
  tradeId: string;
  accountId: string;
  symbol: string;
  side: Side;
  quantity: number;
  price: number;
  currency: string;
  /** When the trade was executed, as the client sent it (ISO-8601 with offset). */
  tradeTime: string;
  /** When intake accepted it (UTC). */
  receivedAt: string;
  status: TradeStatus;
  version: number;
  /** Every failed rule of the latest outcome; empty unless REJECTED. */
  failures: RuleFailure[];
  updatedAt: string;
  channel: Channel;
  clientTradeId?: string | undefined;
  /** The bulk job and line a bulk trade came from. */
  bulkJobId?: string | undefined;
  bulkLine?: number | undefined;
  /** When validation decided the current version. */
  validatedAt?: string | undefined;
  amendedAt?: string | undefined;
  cancelledAt?: string | undefined;
  cancelReason?: string | undefined;
}

/** The RECEIVED trade (version 1) that `request` becomes on `channel`. */
export function receivedTrade(
  request: TradeRequest,
  channel: Channel,
  tradeId: string,
  receivedAt: string,
): Trade {
  return {
    tradeId,
    accountId: request.accountId,
    symbol: request.symbol,
    side: request.side,
    quantity: request.quantity,
    price: request.price,
    currency: request.currency,
    tradeTime: request.tradeTime,
    receivedAt,
    status: 'RECEIVED',
    version: 1,
    failures: [],
    updatedAt: receivedAt,
    channel,
    clientTradeId: request.clientTradeId,
  };
}

/** What a trade was submitted as: the members both its public view and its submitted event carry. */
export type SubmittedFields = Pick<
  Trade,
  'tradeId' | 'accountId' | 'symbol' | 'side' | 'quantity' | 'price' | 'currency' | 'tradeTime' | 'receivedAt'
>;

/** The submitted members of `trade`, copied one by one so no storage detail leaks into a view or an event. */
export function submittedFields(trade: Trade): SubmittedFields {
  return {
    tradeId: trade.tradeId,
    accountId: trade.accountId,
    symbol: trade.symbol,
    side: trade.side,
    quantity: trade.quantity,
    price: trade.price,
    currency: trade.currency,
    tradeTime: trade.tradeTime,
    receivedAt: trade.receivedAt,
  };
}

/** Statuses in which the current version still waits for its validation outcome. */
export const AWAITING_OUTCOME: readonly TradeStatus[] = ['RECEIVED', 'AMENDED'];

/** What a client may do to a trade. */
export type TradeAction = 'amend' | 'cancel';

/**
 * Which statuses allow each action. Only CANCELLED is final: a rejected trade may be amended (fixed and
 * re-validated) or cancelled (abandoned); a validated one corrected or cancelled.
 */
const ALLOWED: Record<TradeAction, readonly TradeStatus[]> = {
  amend: ['RECEIVED', 'VALIDATED', 'REJECTED', 'AMENDED'],
  cancel: ['RECEIVED', 'VALIDATED', 'REJECTED', 'AMENDED'],
};

/** True when `action` is a valid transition from `status`. */
export function canApply(action: TradeAction, status: TradeStatus): boolean {
  return ALLOWED[action].includes(status);
}

/** True when an outcome of `outcomeVersion` may still decide a trade in this state (never regresses it). */
export function acceptsOutcome(trade: Pick<Trade, 'status' | 'version'>, outcomeVersion: number): boolean {
  return trade.version === outcomeVersion && AWAITING_OUTCOME.includes(trade.status);
}

/** The public view of a trade (`GET /v1/trades/{id}` and the account listing): the trade without storage details. */
export type TradeView = Omit<Trade, 'bulkJobId' | 'bulkLine'>;

/** The view of `trade`, without storage details; optional members only when set. */
export function toView(trade: Trade): TradeView {
  const view: TradeView = {
    ...submittedFields(trade),
    status: trade.status,
    version: trade.version,
    failures: trade.failures.map((f) => ({ ruleId: f.ruleId, reason: f.reason })),
    updatedAt: trade.updatedAt,
    channel: trade.channel,
  };
  if (trade.clientTradeId !== undefined) view.clientTradeId = trade.clientTradeId;
  if (trade.validatedAt !== undefined) view.validatedAt = trade.validatedAt;
  if (trade.amendedAt !== undefined) view.amendedAt = trade.amendedAt;
  if (trade.cancelledAt !== undefined) view.cancelledAt = trade.cancelledAt;
  if (trade.cancelReason !== undefined) view.cancelReason = trade.cancelReason;
  return view;
}

/** Where a trade's status can be read. */
export function statusUrlOf(tradeId: string): string {
  return `/v1/trades/${encodeURIComponent(tradeId)}`;
}

/** Where a bulk job's progress can be read. */
export function bulkJobUrlOf(jobId: string): string {
  return `/v1/trades/bulk/${encodeURIComponent(jobId)}`;
}

/**
 * The id of the trade on `line` of bulk job `jobId`: deterministic, so writing a chunk again (a retry)
 * addresses the same items and publishes the same event ids instead of creating duplicates.
 */
export function bulkTradeId(jobId: string, line: number): string {
  return `${jobId}-L${line}`;
}

/** Ids clients may send in a path: what this service generates, nothing a store key could choke on. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** True when `id` could be a trade or job id (anything else cannot exist, so it is a 404). */
export function isPlausibleId(id: string): boolean {
  return ID_PATTERN.test(id);
}
