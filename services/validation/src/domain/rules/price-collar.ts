import { exceeds, formatPercent, formatPrice } from '../numbers';
import { defineRule } from '../rule';

/** The deviation with enough decimals that it never reads as equal to the collar it breaks (5.04% vs ±5%). */
function describeDeviation(deviation: number, collar: number): string {
  for (let decimals = 1; decimals < 4; decimals++) {
    if (Number(deviation.toFixed(decimals)) > collar) return formatPercent(deviation, decimals);
  }
  return formatPercent(deviation, 4);
}

/** A trade's price may deviate from the reference price by at most the configured percentage. */
export const priceCollar = defineRule({
  id: 'PRICE_COLLAR',
  description: 'The price must be within the configured percentage (the collar) of the reference price.',
  check: ({ trade, reference: { price }, settings }) => {
    // Without a price there is nothing to collar against; NO_REFERENCE_PRICE reports that.
    if (price === undefined) return undefined;
    const collar = settings.priceCollarPercent;
    const deviation = ((trade.price - price.price) / price.price) * 100;
    if (!exceeds(Math.abs(deviation), collar)) return undefined;
    return (
      `Price ${formatPrice(trade.price)} is ${describeDeviation(Math.abs(deviation), collar)}% ` +
      `${deviation > 0 ? 'above' : 'below'} the reference price ${formatPrice(price.price)}; ` +
      `the collar is ±${formatPercent(collar, 2)}%.`
    );
  },
});
