import { defineRule } from '../rule';

/** Without a reference price the collar cannot be applied, so the trade cannot be validated. */
export const noReferencePrice = defineRule({
  id: 'NO_REFERENCE_PRICE',
  description: 'The instrument must have a reference price.',
  check: ({ trade, reference: { instrument, price } }) =>
    // An unknown instrument has no price either; UNKNOWN_INSTRUMENT already says so.
    instrument !== undefined && price === undefined
      ? `There is no reference price for ${trade.symbol}.`
      : undefined,
});
