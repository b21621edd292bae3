import { defineRule } from '../rule';

/** A trade must be in the currency its instrument trades in. */
export const currencyMismatch = defineRule({
  id: 'CURRENCY_MISMATCH',
  description: "The trade's currency must be the instrument's currency.",
  check: ({ trade, reference: { instrument } }) =>
    instrument !== undefined && trade.currency !== instrument.currency
      ? `Trade currency ${trade.currency} differs from ${instrument.currency}, the currency ${instrument.symbol} trades in.`
      : undefined,
});
