/** The trade the raw (store and bus) ceilings write: the same instrument and figures for both. */

/** The fields the n-th raw benchmark trade has whatever carries it (a stored item or a submitted event). */
export function benchTradeFields(n: number, now: string) {
  return {
    symbol: 'AAPL',
    side: n % 2 === 0 ? 'BUY' : 'SELL',
    quantity: 100 + n,
    price: 189.37,
    currency: 'USD',
    tradeTime: now,
    receivedAt: now,
  };
}
