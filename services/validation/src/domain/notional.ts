import type { TradeSubmitted } from '@tradeflow/contracts';

/** A trade's notional value, quantity × price, in the trade's currency. */
export function notional(trade: Pick<TradeSubmitted, 'quantity' | 'price'>): number {
  // Rounded to 1e-6 so float noise (3 × 0.1 = 0.30000000000000004) never reaches a running total.
  return Math.round(trade.quantity * trade.price * 1e6) / 1e6;
}
