import { notional } from '../notional';
import { exceeds, formatAmount, formatCount, formatPrice } from '../numbers';
import { defineRule } from '../rule';

/** An account's per-trade notional limit. */
export const maxNotionalPerTrade = defineRule({
  id: 'MAX_NOTIONAL_PER_TRADE',
  description: "The notional (quantity × price) must not exceed the account's maximum notional per trade.",
  check: ({ trade, reference: { account } }) => {
    if (account === undefined) return undefined;
    const value = notional(trade);
    const limit = account.limits.maxNotionalPerTrade;
    if (!exceeds(value, limit)) return undefined;
    return (
      `Notional ${formatAmount(value)} ${trade.currency} (${formatCount(trade.quantity)} × ${formatPrice(trade.price)}) ` +
      `exceeds the account's limit of ${formatAmount(limit)} per trade.`
    );
  },
});
