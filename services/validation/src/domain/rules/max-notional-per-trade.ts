import { notional, notionalInAccountCurrency } from '../notional';
import { exceeds, formatAmount, formatCount, formatPrice } from '../numbers';
import { defineRule } from '../rule';

/** An account's per-trade notional limit, in the account's currency. */
export const maxNotionalPerTrade = defineRule({
  id: 'MAX_NOTIONAL_PER_TRADE',
  description:
    "The notional (quantity × price), in the account's currency, must not exceed the account's maximum notional per trade.",
  check: ({ trade, reference: { account, fxRates } }) => {
    if (account === undefined) return undefined;
    const inAccount = notionalInAccountCurrency(trade, account, fxRates);
    // Without a rate the limit cannot be checked; NO_FX_RATE reports that.
    if (!inAccount.ok) return undefined;
    const limit = account.limits.maxNotionalPerTrade;
    if (!exceeds(inAccount.value, limit)) return undefined;
    const converted = inAccount.converted
      ? `, ${formatAmount(inAccount.value)} ${account.currency} in the account's currency,`
      : '';
    return (
      `Notional ${formatAmount(notional(trade))} ${trade.currency} (${formatCount(trade.quantity)} × ${formatPrice(trade.price)})` +
      `${converted} exceeds the account's limit of ${formatAmount(limit)} ${account.currency} per trade.`
    );
  },
});
