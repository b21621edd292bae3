import {
  describeSessionHours,
  describeTradingDays,
  isInSession,
  isKnownTimeZone,
  localDateTime,
  weekdayName,
} from '../market-clock';
import { defineRule } from '../rule';

/** A trade must be executed during its market's regular session, judged by the market's own clock. */
export const outsideTradingHours = defineRule({
  id: 'OUTSIDE_TRADING_HOURS',
  description:
    "The trade time must fall on a trading day within the market's session and outside its breaks, in the market's time zone.",
  check: ({ trade, reference: { market } }) => {
    // No market, no hours: UNKNOWN_INSTRUMENT or UNKNOWN_MARKET reports why.
    if (market === undefined) return undefined;
    if (!isKnownTimeZone(market.timeZone)) {
      return `Market ${market.code} has the time zone '${market.timeZone}', which is not a known IANA zone; its trading hours cannot be checked.`;
    }
    const local = localDateTime(new Date(trade.tradeTime), market.timeZone);
    if (isInSession(local, market)) return undefined;
    return (
      `Trade time ${trade.tradeTime} is ${weekdayName(local.isoWeekday)} ${local.date} ${local.time} in ${market.timeZone}; ` +
      `${market.code} trades ${describeTradingDays(market.tradingDays)} ${describeSessionHours(market)}.`
    );
  },
});
