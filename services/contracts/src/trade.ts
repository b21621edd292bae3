import { z } from 'zod';
import { AccountId, Currency, Symbol } from './reference';

export const Side = z.enum(['BUY', 'SELL']);
export type Side = z.infer<typeof Side>;

export const TradeStatus = z.enum(['RECEIVED', 'VALIDATED', 'REJECTED', 'AMENDED', 'CANCELLED']);
export type TradeStatus = z.infer<typeof TradeStatus>;

/** How a trade entered the system. */
export const IntakeChannel = z.enum(['single', 'batch', 'bulk']);

/** Data of `trades.submitted`: everything validation needs, nothing it has to look up in trades' tables. */
export const TradeSubmitted = z.strictObject({
  tradeId: z.string().min(1),
  accountId: AccountId,
  symbol: Symbol,
  side: Side,
  quantity: z.number().int().positive(),
  price: z.number().positive(),
  currency: Currency,
  /** When the trade was executed, as the client reported it. */
  tradeTime: z.iso.datetime({ offset: true }),
  /** When trades accepted it. */
  receivedAt: z.iso.datetime({ offset: true }),
  channel: IntakeChannel,
  /** Monotonic per trade: 1 on submission, +1 on each amendment; outcomes carry it back. */
  version: z.number().int().positive(),
  /**
   * On an amendment (version > 1): the version it replaces, with the fields an amendment can change. Account,
   * symbol, side and trade time never change, so with these validation finds what that version counted (its
   * record is keyed by the trade's fingerprint and time) without a query. Optional: events from producers
   * that predate it still parse; validation then releases nothing for the earlier version.
   */
  previous: z
    .strictObject({
      version: z.number().int().positive(),
      price: z.number().positive(),
      quantity: z.number().int().positive(),
    })
    .optional(),
});
export type TradeSubmitted = z.infer<typeof TradeSubmitted>;

/**
 * Data of a cancellation on `trades.submitted` (type `tradeflow.trades.cancelled.v1`): the cancelled version
 * with the fields validation finds that version's record by (its fingerprint and trade time), so it can release
 * what the version counted towards the account's daily total. Published after the trade is written CANCELLED.
 */
export const TradeCancelled = TradeSubmitted.pick({
  tradeId: true,
  accountId: true,
  /** The version that was current when the trade was cancelled (cancelling does not bump it). */
  version: true,
  symbol: true,
  side: true,
  quantity: true,
  price: true,
  currency: true,
  tradeTime: true,
}).extend({
  cancelledAt: z.iso.datetime({ offset: true }),
});
export type TradeCancelled = z.infer<typeof TradeCancelled>;

/** The fields of a trade version that its cancellation names: all of `TradeCancelled` but the time. */
export type CancelledVersion = Omit<TradeCancelled, 'cancelledAt'>;

/**
 * The `TradeCancelled` data of `trade`'s version, cancelled at `cancelledAt`. Copies the named fields one by one,
 * so a richer trade (a stored row, a submitted event) passes no other member into the strict event.
 */
export function tradeCancelled(trade: CancelledVersion, cancelledAt: string): TradeCancelled {
  return {
    tradeId: trade.tradeId,
    accountId: trade.accountId,
    version: trade.version,
    symbol: trade.symbol,
    side: trade.side,
    quantity: trade.quantity,
    price: trade.price,
    currency: trade.currency,
    tradeTime: trade.tradeTime,
    cancelledAt,
  };
}

/** One failed validation rule and the human-readable reason. */
export const RuleFailure = z.strictObject({
  ruleId: z.string().min(1),
  reason: z.string().min(1),
});
export type RuleFailure = z.infer<typeof RuleFailure>;

/** Data of `trades.outcomes`: the result of validating one version of one trade. */
export const TradeOutcome = z.strictObject({
  tradeId: z.string().min(1),
  accountId: AccountId,
  version: z.number().int().positive(),
  status: z.enum(['VALIDATED', 'REJECTED']),
  /** Every rule that failed; empty when validated. */
  failures: z.array(RuleFailure),
  validatedAt: z.iso.datetime({ offset: true }),
});
export type TradeOutcome = z.infer<typeof TradeOutcome>;
