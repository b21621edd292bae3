import {
  decimalPlaces,
  type Account,
  type FxRate,
  type Instrument,
  type Market,
  type ReferencePrice,
} from '@tradeflow/contracts';
import type { FieldIssue } from '@tradeflow/platform/errors';

/** Largest tick accepted: anything coarser is a typo (a price unit mistaken for a tick). */
export const MAX_TICK_SIZE = 1000;
/** Finest tick accepted: keeps tick-grid arithmetic exact in scaled integers. */
export const MAX_TICK_DECIMALS = 6;
/** Largest lot accepted. */
export const MAX_LOT_SIZE = 1_000_000;
/** How far in the future a price's `asOf` may be, for clock skew between the source and us. */
export const PRICE_CLOCK_SKEW_MS = 5 * 60_000;

/** What is wrong with a market beyond its shape; pass `current` on update (its currency is fixed). */
export function marketIssues(market: Market, current?: Market): FieldIssue[] {
  // The contract schema already rejects an unknown time zone.
  const issues: FieldIssue[] = [];
  // HH:MM strings compare correctly as text; sessions crossing midnight are not modelled.
  if (market.close <= market.open) issues.push({ field: '/close', message: 'must be after open' });
  let previousEnd = market.open;
  (market.breaks ?? []).forEach((pause, i) => {
    if (pause.end <= pause.start) issues.push({ field: `/breaks/${i}/end`, message: 'must be after start' });
    if (pause.start <= previousEnd || pause.end >= market.close) {
      issues.push({
        field: `/breaks/${i}`,
        message: 'must lie inside the session, after the previous break',
      });
    }
    previousEnd = pause.end;
  });
  market.tradingDays.forEach((day, i) => {
    if (market.tradingDays.indexOf(day) !== i) {
      issues.push({ field: `/tradingDays/${i}`, message: `lists day ${day} twice` });
    }
  });
  if (current && current.currency !== market.currency) {
    issues.push({
      field: '/currency',
      message: `cannot change from ${current.currency}: the market's instruments are priced in it`,
    });
  }
  return issues;
}

/** What is wrong with an instrument beyond its shape, given its market as stored (undefined: no such market). */
export function instrumentIssues(instrument: Instrument, market: Market | undefined): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (market === undefined) {
    issues.push({ field: '/market', message: `is not a known market: ${instrument.market}` });
  } else if (market.currency !== instrument.currency) {
    issues.push({
      field: '/currency',
      message: `must be ${market.currency}, the currency of market ${market.code}`,
    });
  }
  if (instrument.tickSize > MAX_TICK_SIZE) {
    issues.push({ field: '/tickSize', message: `must be at most ${MAX_TICK_SIZE}` });
  } else if (decimalPlaces(instrument.tickSize) > MAX_TICK_DECIMALS) {
    issues.push({ field: '/tickSize', message: `must have at most ${MAX_TICK_DECIMALS} decimal places` });
  }
  if (instrument.lotSize > MAX_LOT_SIZE) {
    issues.push({ field: '/lotSize', message: `must be at most ${MAX_LOT_SIZE}` });
  }
  return issues;
}

/**
 * What is wrong with a reference price beyond its shape, given its instrument (undefined: none).
 * The price need not be on the tick grid: reference prices are often mid or closing prices.
 */
export function priceIssues(
  price: ReferencePrice,
  instrument: Instrument | undefined,
  now: Date,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (instrument === undefined) {
    issues.push({ field: '/symbol', message: `is not a known instrument: ${price.symbol}` });
  }
  // A future asOf would never go stale, silently disabling the stale-price rule.
  if (Date.parse(price.asOf) > now.getTime() + PRICE_CLOCK_SKEW_MS) {
    issues.push({ field: '/asOf', message: 'must not be in the future' });
  }
  return issues;
}

/** The currency every FX rate is quoted against; it has no rate of its own. */
export const FX_BASE_CURRENCY = 'USD';

/** What is wrong with an FX rate beyond its shape. */
export function fxIssues(rate: FxRate, now: Date): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (rate.currency === FX_BASE_CURRENCY) {
    issues.push({ field: '/currency', message: `must not be ${FX_BASE_CURRENCY}: its rate is always 1` });
  }
  // A future asOf would make the rate look fresher than it is.
  if (Date.parse(rate.asOf) > now.getTime() + PRICE_CLOCK_SKEW_MS) {
    issues.push({ field: '/asOf', message: 'must not be in the future' });
  }
  return issues;
}

/** What is wrong with an account beyond its shape, given the codes of the markets that exist. */
export function accountIssues(account: Account, knownMarkets: ReadonlySet<string>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  account.permittedMarkets.forEach((code, i) => {
    if (!knownMarkets.has(code)) {
      issues.push({ field: `/permittedMarkets/${i}`, message: `is not a known market: ${code}` });
    } else if (account.permittedMarkets.indexOf(code) !== i) {
      issues.push({ field: `/permittedMarkets/${i}`, message: `lists ${code} twice` });
    }
  });
  if (account.limits.maxNotionalPerTrade > account.limits.maxNotionalPerDay) {
    issues.push({ field: '/limits/maxNotionalPerTrade', message: 'must not exceed maxNotionalPerDay' });
  }
  return issues;
}
