import { defineRule } from '../rule';

/** The traded symbol must be a known instrument. */
export const unknownInstrument = defineRule({
  id: 'UNKNOWN_INSTRUMENT',
  description: 'The symbol must be a known instrument.',
  check: ({ trade, reference }) =>
    reference.instrument === undefined ? `Instrument ${trade.symbol} is not known.` : undefined,
});
