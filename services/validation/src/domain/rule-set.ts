import { currencyMismatch } from './rules/currency-mismatch';
import { instrumentHalted } from './rules/instrument-halted';
import { lotSize } from './rules/lot-size';
import { marketNotPermitted } from './rules/market-not-permitted';
import { maxNotionalPerDay } from './rules/max-notional-per-day';
import { maxNotionalPerTrade } from './rules/max-notional-per-trade';
import { maxQuantity } from './rules/max-quantity';
import { noFxRate } from './rules/no-fx-rate';
import { noReferencePrice } from './rules/no-reference-price';
import { outsideTradingHours } from './rules/outside-trading-hours';
import { priceCollar } from './rules/price-collar';
import { probableDuplicate } from './rules/probable-duplicate';
import { restrictedInstrument } from './rules/restricted-instrument';
import { staleReferencePrice } from './rules/stale-reference-price';
import { tickSize } from './rules/tick-size';
import { unknownAccount } from './rules/unknown-account';
import { unknownInstrument } from './rules/unknown-instrument';
import { unknownMarket } from './rules/unknown-market';

/** Every rule in evaluation order; a rejection lists its failures in this order. */
export const RULE_SET = [
  unknownAccount,
  unknownInstrument,
  unknownMarket,
  instrumentHalted,
  restrictedInstrument,
  marketNotPermitted,
  currencyMismatch,
  lotSize,
  tickSize,
  noReferencePrice,
  staleReferencePrice,
  priceCollar,
  maxQuantity,
  noFxRate,
  maxNotionalPerTrade,
  maxNotionalPerDay,
  outsideTradingHours,
  probableDuplicate,
] as const;

/** The id of any rule in the set. */
export type RuleId = (typeof RULE_SET)[number]['id'];

/** What a rule is, for metrics labels and generated docs. */
export interface RuleInfo {
  readonly id: RuleId;
  readonly description: string;
}

/** The rules' ids and descriptions, in evaluation order. */
export const RULES: readonly RuleInfo[] = RULE_SET.map(({ id, description }) => ({ id, description }));
