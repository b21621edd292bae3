import type {
  Account,
  FxRate,
  Instrument,
  Market,
  ReferencePrice,
  RestrictedEntry,
  TradeSubmitted,
} from '@tradeflow/contracts';
import type { ReferenceData } from './context';

/**
 * What the processor reads from the reference cache (`ReferenceCache` of `@tradeflow/reference-data/cache` fits):
 * the current entity of each kind, or undefined.
 */
export interface ReferenceLookup {
  account(accountId: string): Account | undefined;
  instrument(symbol: string): Instrument | undefined;
  market(code: string): Market | undefined;
  price(symbol: string): ReferencePrice | undefined;
  restricted(symbol: string): RestrictedEntry | undefined;
  /** The FX entry of `currency`; USD has none (it is 1 by definition). */
  fx(currency: string): FxRate | undefined;
}

/** The reference data one trade is judged by, looked up at the moment of the call. */
export function referenceFor(trade: TradeSubmitted, lookup: ReferenceLookup): ReferenceData {
  const account = lookup.account(trade.accountId);
  const instrument = lookup.instrument(trade.symbol);
  const market = instrument === undefined ? undefined : lookup.market(instrument.market);
  const fxRates: Record<string, FxRate> = {};
  for (const currency of new Set([trade.currency, account?.currency])) {
    const rate = currency === undefined ? undefined : lookup.fx(currency);
    if (rate !== undefined) fxRates[rate.currency] = rate;
  }
  return {
    account,
    instrument,
    market,
    price: lookup.price(trade.symbol),
    restricted: lookup.restricted(trade.symbol),
    fxRates,
  };
}
