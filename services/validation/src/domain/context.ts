import type {
  Account,
  FxRate,
  Instrument,
  Market,
  ReferencePrice,
  RestrictedEntry,
  TradeSubmitted,
} from '@tradeflow/contracts';

/** The knobs of the rule set; the service reads them from its config. */
export interface ValidationSettings {
  /** Largest allowed deviation of a trade's price from the reference price, in percent (5 means ±5%). */
  readonly priceCollarPercent: number;
  /** A reference price older than this at validation time is stale. */
  readonly stalePriceMaxAgeMs: number;
  /** An identical earlier trade within this window is a probable duplicate (the processor searches it). */
  readonly duplicateWindowMs: number;
}

/** Sensible defaults for development and tests: ±5% collar, 15-minute prices, 60-second duplicate window. */
export const DEFAULT_VALIDATION_SETTINGS: ValidationSettings = {
  priceCollarPercent: 5,
  stalePriceMaxAgeMs: 15 * 60_000,
  duplicateWindowMs: 60_000,
};

/** The reference data looked up for one trade; a missing entry means the cache does not know it. */
export interface ReferenceData {
  /** The instrument of `trade.symbol`. */
  readonly instrument?: Instrument;
  /** The market the instrument trades on (`instrument.market`). */
  readonly market?: Market;
  /** The current reference price of `trade.symbol`. */
  readonly price?: ReferencePrice;
  /** The account of `trade.accountId`. */
  readonly account?: Account;
  /** The restricted-list entry of `trade.symbol`, when it is restricted. */
  readonly restricted?: RestrictedEntry;
  /**
   * FX rates by currency, holding at least the trade's and the account's currencies when the cache knows them;
   * USD needs no entry (it is 1 by definition).
   */
  readonly fxRates?: Readonly<Record<string, FxRate>>;
}

/** Everything the rules need to judge one trade; the processor gathers it, the rules stay pure. */
export interface ValidationContext {
  readonly trade: TradeSubmitted;
  readonly reference: ReferenceData;
  /** Validation time: stale prices are measured against it and it becomes the outcome's `validatedAt`. */
  readonly now: Date;
  readonly settings: ValidationSettings;
  /**
   * The account's notional already counted for this trade's trading day, in the account's currency, excluding
   * this trade (an earlier version of it included).
   */
  readonly dailyNotionalBefore: number;
  /** Trade id of an earlier trade with the same account, symbol, side, quantity and price within the window. */
  readonly probableDuplicateOf?: string;
}
