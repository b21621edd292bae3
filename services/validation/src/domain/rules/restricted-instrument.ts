import { defineRule } from '../rule';

/** Nobody may trade an instrument on the restricted list. */
export const restrictedInstrument = defineRule({
  id: 'RESTRICTED_INSTRUMENT',
  description: 'The instrument must not be on the restricted list.',
  check: ({ reference: { restricted } }) =>
    restricted === undefined
      ? undefined
      : `Instrument ${restricted.symbol} is on the restricted list since ${restricted.since}: ${restricted.reason}`,
});
