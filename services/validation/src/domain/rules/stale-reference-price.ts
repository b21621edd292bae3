import { formatDuration, formatPrice } from '../numbers';
import { defineRule } from '../rule';

/** A reference price too old at validation time may no longer reflect the market (a stopped feed). */
export const staleReferencePrice = defineRule({
  id: 'STALE_REFERENCE_PRICE',
  description: 'The reference price must be younger than the configured maximum age.',
  check: ({ reference: { price }, now, settings }) => {
    if (price === undefined) return undefined;
    const ageMs = now.getTime() - Date.parse(price.asOf);
    if (ageMs <= settings.stalePriceMaxAgeMs) return undefined;
    return (
      `The reference price ${formatPrice(price.price)} of ${price.symbol} is from ${price.asOf}, ` +
      `${formatDuration(ageMs)} old; prices older than ${formatDuration(settings.stalePriceMaxAgeMs)} are stale.`
    );
  },
});
