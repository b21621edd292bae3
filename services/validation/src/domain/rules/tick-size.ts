import { defineRule } from '../rule';

// price / tick carries a few ulps of error from binary floats (0.3 / 0.1 = 2.9999999999999996), so a
// price counts as on the grid when it is within that error of a whole number of ticks.
const ULPS = 8;
const ABSOLUTE_TOLERANCE = 1e-9;

/** How many decimals a tick size is written with (0.005 → 3, 1e-7 → 7, 5 → 0). */
export function decimalsOf(value: number): number {
  const [mantissa = '', exponent] = value.toString().toLowerCase().split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent ?? 0));
}

/** True when `price` is a whole number of `tick`s, up to float error. */
export function isOnTickGrid(price: number, tick: number): boolean {
  const ticks = price / tick;
  const tolerance = Math.max(ABSOLUTE_TOLERANCE, Math.abs(ticks) * ULPS * Number.EPSILON);
  return Math.abs(ticks - Math.round(ticks)) <= tolerance;
}

/** Prices move in the instrument's tick size. */
export const tickSize = defineRule({
  id: 'TICK_SIZE',
  description: "The price must be a whole multiple of the instrument's tick size.",
  check: ({ trade, reference: { instrument } }) => {
    if (instrument === undefined || isOnTickGrid(trade.price, instrument.tickSize)) return undefined;
    const tick = instrument.tickSize;
    const decimals = decimalsOf(tick);
    const below = (Math.floor(trade.price / tick) * tick).toFixed(decimals);
    const above = (Math.ceil(trade.price / tick) * tick).toFixed(decimals);
    return (
      `Price ${trade.price} is not on the tick grid of ${tick.toFixed(decimals)} for ${instrument.symbol}; ` +
      `the nearest valid prices are ${below} and ${above}.`
    );
  },
});
