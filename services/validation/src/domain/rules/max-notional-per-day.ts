import { isKnownTimeZone, tradingDay } from '../market-clock';
import { notional } from '../notional';
import { exceeds, formatAmount } from '../numbers';
import { defineRule } from '../rule';

/** An account's daily notional limit, against the running total the processor keeps per trading day. */
export const maxNotionalPerDay = defineRule({
  id: 'MAX_NOTIONAL_PER_DAY',
  description:
    "The account's notional for the trading day, this trade included, must not exceed its maximum notional per day.",
  check: ({ trade, reference: { account, market }, dailyNotionalBefore }) => {
    if (account === undefined) return undefined;
    const value = notional(trade);
    const total = dailyNotionalBefore + value;
    const limit = account.limits.maxNotionalPerDay;
    if (!exceeds(total, limit)) return undefined;
    const day =
      market !== undefined && isKnownTimeZone(market.timeZone)
        ? ` on ${tradingDay(trade.tradeTime, market.timeZone)}`
        : '';
    return (
      `Notional ${formatAmount(value)} ${trade.currency} would bring the account's total${day} to ` +
      `${formatAmount(total)} (${formatAmount(dailyNotionalBefore)} already counted), ` +
      `above its daily limit of ${formatAmount(limit)}.`
    );
  },
});
