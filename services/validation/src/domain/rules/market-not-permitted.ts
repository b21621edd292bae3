import { defineRule } from '../rule';

/** An account may trade only on the markets it is permitted. */
export const marketNotPermitted = defineRule({
  id: 'MARKET_NOT_PERMITTED',
  description: "The instrument's market must be one of the account's permitted markets.",
  check: ({ reference: { account, instrument } }) => {
    if (account === undefined || instrument === undefined) return undefined;
    if (account.permittedMarkets.includes(instrument.market)) return undefined;
    return (
      `Account ${account.accountId} may trade on ${account.permittedMarkets.join(', ')} only; ` +
      `${instrument.symbol} trades on ${instrument.market}.`
    );
  },
});
