import { formatCount } from '../numbers';
import { defineRule } from '../rule';

/** Quantities come in whole lots of the instrument. */
export const lotSize = defineRule({
  id: 'LOT_SIZE',
  description: "The quantity must be a whole multiple of the instrument's lot size.",
  check: ({ trade, reference: { instrument } }) =>
    instrument !== undefined && trade.quantity % instrument.lotSize !== 0
      ? `Quantity ${formatCount(trade.quantity)} is not a multiple of the lot size ${formatCount(instrument.lotSize)} of ${instrument.symbol}.`
      : undefined,
});
