import { notionalInAccountCurrency } from '../notional';
import { defineRule } from '../rule';

/** The notional limits are in the account's currency, so a trade in another currency needs FX rates for both. */
export const noFxRate = defineRule({
  id: 'NO_FX_RATE',
  description:
    "A trade in a currency other than its account's needs an FX rate for each currency, to check the notional limits.",
  check: ({ trade, reference: { account, fxRates } }) => {
    if (account === undefined) return undefined;
    const inAccount = notionalInAccountCurrency(trade, account, fxRates);
    if (inAccount.ok) return undefined;
    const rates = inAccount.missing.join(' or ');
    return (
      `There is no FX rate for ${rates}, so the notional of this ${trade.currency} trade cannot be converted into ` +
      `${account.currency}, the currency of account ${account.accountId}'s limits.`
    );
  },
});
