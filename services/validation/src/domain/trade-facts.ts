import type { Market, TradeSubmitted } from '@tradeflow/contracts';
import { isKnownTimeZone, tradingDay } from './market-clock';

/** One version of one trade: the idempotency key of its outcome (`T-1#2`). */
export function tradeKey(trade: Pick<TradeSubmitted, 'tradeId' | 'version'>): string {
  return `${trade.tradeId}#${trade.version}`;
}

/** What two trades share when one is a probable duplicate of the other: account, symbol, side, quantity, price. */
export function duplicateFingerprint(
  trade: Pick<TradeSubmitted, 'accountId' | 'symbol' | 'side' | 'quantity' | 'price'>,
): string {
  // String(number) is canonical: 197.1 and 197.10 in JSON are the same number and print the same.
  return [trade.accountId, trade.symbol, trade.side, String(trade.quantity), String(trade.price)].join('|');
}

/**
 * The key of the item holding the fingerprint's trades whose trade time falls in one window-wide time bucket
 * (`<fingerprint>#<windowMs>#<bucket>`). Trades within the window of each other are in the same or adjacent
 * buckets, so three keys cover every candidate; the width is in the key so a changed window never misreads
 * old buckets.
 */
export function fingerprintBucketKey(fingerprint: string, tradeTimeMs: number, windowMs: number): string {
  const width = Math.max(1, windowMs);
  return `${fingerprint}#${width}#${Math.floor(tradeTimeMs / width)}`;
}

/** The bucket keys that can hold a trade within the window of `tradeTimeMs`: its own and both neighbours. */
export function fingerprintBucketKeysAround(
  fingerprint: string,
  tradeTimeMs: number,
  windowMs: number,
): string[] {
  const width = Math.max(1, windowMs);
  return [-width, 0, width].map((offset) => fingerprintBucketKey(fingerprint, tradeTimeMs + offset, width));
}

/**
 * The fingerprint of the version an amendment replaces (from the event's `previous`: amendments change only
 * price and quantity), or undefined when the event names none.
 */
export function previousFingerprint(trade: TradeSubmitted): string | undefined {
  if (trade.previous === undefined) return undefined;
  return duplicateFingerprint({ ...trade, price: trade.previous.price, quantity: trade.previous.quantity });
}

/**
 * Every bucket a trade version's judgement needs: the buckets around it (its own among them: was this version
 * judged already? is there an earlier identical trade?) and, for an amendment, the bucket of the version it
 * replaces (what did that version count?).
 */
export function fingerprintBucketKeysToRead(trade: TradeSubmitted, windowMs: number): string[] {
  const at = Date.parse(trade.tradeTime);
  const previous = previousFingerprint(trade);
  return [
    ...fingerprintBucketKeysAround(duplicateFingerprint(trade), at, windowMs),
    ...(previous === undefined ? [] : [fingerprintBucketKey(previous, at, windowMs)]),
  ];
}

/**
 * The day a trade counts towards: its trading day in the market's time zone (see `tradingDay`), or the UTC
 * date when the market is unknown (such a trade is rejected and counts nothing, but still needs a key).
 */
export function tradeDayOf(trade: Pick<TradeSubmitted, 'tradeTime'>, market: Market | undefined): string {
  if (market !== undefined && isKnownTimeZone(market.timeZone))
    return tradingDay(trade.tradeTime, market.timeZone);
  return new Date(trade.tradeTime).toISOString().slice(0, 10);
}

/** The key of an account's running notional total for one trading day (`ACC-001#2025-03-10`). */
export function dailyTotalKey(accountId: string, day: string): string {
  return `${accountId}#${day}`;
}

/** The account id and day of a daily-total key. */
export function parseDailyTotalKey(key: string): { accountId: string; day: string } {
  const at = key.lastIndexOf('#');
  return { accountId: key.slice(0, at), day: key.slice(at + 1) };
}
