import { formatCount } from '../numbers';
import { defineRule } from '../rule';

/** An account's per-trade quantity limit. */
export const maxQuantity = defineRule({
  id: 'MAX_QUANTITY',
  description: "The quantity must not exceed the account's maximum quantity per trade.",
  check: ({ trade, reference: { account } }) =>
    account !== undefined && trade.quantity > account.limits.maxQuantity
      ? `Quantity ${formatCount(trade.quantity)} exceeds the account's maximum of ${formatCount(account.limits.maxQuantity)} per trade.`
      : undefined,
});
