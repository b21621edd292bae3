import { defineRule } from '../rule';

/** The instrument's market must be known, or its trading hours cannot be checked. */
export const unknownMarket = defineRule({
  id: 'UNKNOWN_MARKET',
  description: "The instrument's market must be known to reference data.",
  check: ({ reference: { instrument, market } }) =>
    // An unknown instrument is UNKNOWN_INSTRUMENT's failure; its market is then not in question.
    instrument !== undefined && market === undefined
      ? `Instrument ${instrument.symbol} trades on ${instrument.market}, a market that is not known.`
      : undefined,
});
