import { defineRule } from '../rule';

/** A halted instrument cannot be traded. */
export const instrumentHalted = defineRule({
  id: 'INSTRUMENT_HALTED',
  description: 'The instrument must not be halted.',
  check: ({ reference: { instrument } }) =>
    instrument?.status === 'HALTED'
      ? `Instrument ${instrument.symbol} (${instrument.name}) is halted.`
      : undefined,
});
