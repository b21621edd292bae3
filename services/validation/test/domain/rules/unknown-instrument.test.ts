import { unknownInstrument } from '../../../src/domain/rules/unknown-instrument';
import { aContext } from '../fixtures';

describe('UNKNOWN_INSTRUMENT', () => {
  it('when the instrument is known, then it passes', () => {
    expect(unknownInstrument.evaluate(aContext())).toBeUndefined();
  });

  it('when the symbol is not a known instrument, then it fails naming the symbol', () => {
    const ctx = aContext({ trade: { symbol: 'NOPE' }, reference: { instrument: undefined } });

    expect(unknownInstrument.evaluate(ctx)).toEqual({
      ruleId: 'UNKNOWN_INSTRUMENT',
      reason: 'Instrument NOPE is not known.',
    });
  });
});
