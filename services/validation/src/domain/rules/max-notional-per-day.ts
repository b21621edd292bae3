import { isKnownTimeZone, tradingDay } from '../market-clock';
import { notional, notionalInAccountCurrency, roundAmount } from '../notional';
import { exceeds, formatAmount } from '../numbers';
import { defineRule } from '../rule';

/** An account's daily notional limit, against the running total the processor keeps per trading day. */
export const maxNotionalPerDay = defineRule({
  id: 'MAX_NOTIONAL_PER_DAY',
  description:
    "The account's notional for the trading day, this trade included and in the account's currency, must not exceed its maximum notional per day.",
  check: ({ trade, reference: { account, market, fxRates }, dailyNotionalBefore }) => {
    if (account === undefined) return undefined;
    const inAccount = notionalInAccountCurrency(trade, account, fxRates);
    // Without a rate the limit cannot be checked; NO_FX_RATE reports that.
    if (!inAccount.ok) return undefined;
    const total = roundAmount(dailyNotionalBefore + inAccount.value);
    const limit = account.limits.maxNotionalPerDay;
    if (!exceeds(total, limit)) return undefined;
    const day =
      market !== undefined && isKnownTimeZone(market.timeZone)
        ? ` on ${tradingDay(trade.tradeTime, market.timeZone)}`
        : '';
    const ccy = account.currency;
    const converted = inAccount.converted ? ` (${formatAmount(inAccount.value)} ${ccy})` : '';
    return (
      `Notional ${formatAmount(notional(trade))} ${trade.currency}${converted} would bring the account's total${day} to ` +
      `${formatAmount(total)} ${ccy} (${formatAmount(dailyNotionalBefore)} ${ccy} already counted), ` +
      `above its daily limit of ${formatAmount(limit)} ${ccy}.`
    );
  },
});
