import { decimalPlaces, isOnTickGrid } from '@tradeflow/contracts';
import { defineRule } from '../rule';

/** Prices move in the instrument's tick size. */
export const tickSize = defineRule({
  id: 'TICK_SIZE',
  description: "The price must be a whole multiple of the instrument's tick size.",
  check: ({ trade, reference: { instrument } }) => {
    if (instrument === undefined || isOnTickGrid(trade.price, instrument.tickSize)) return undefined;
    const tick = instrument.tickSize;
    const decimals = decimalPlaces(tick);
    const below = (Math.floor(trade.price / tick) * tick).toFixed(decimals);
    const above = (Math.ceil(trade.price / tick) * tick).toFixed(decimals);
    return (
      `Price ${trade.price} is not on the tick grid of ${tick.toFixed(decimals)} for ${instrument.symbol}; ` +
      `the nearest valid prices are ${below} and ${above}.`
    );
  },
});
