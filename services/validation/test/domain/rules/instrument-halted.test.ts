import { instrumentHalted } from '../../../src/domain/rules/instrument-halted';
import { AAPL, aContext } from '../fixtures';

describe('INSTRUMENT_HALTED', () => {
  it('when the instrument is active, then it passes', () => {
    expect(instrumentHalted.evaluate(aContext())).toBeUndefined();
  });

  it('when the instrument is halted, then it fails naming the instrument', () => {
    const ctx = aContext({ reference: { instrument: { ...AAPL, status: 'HALTED' } } });

    expect(instrumentHalted.evaluate(ctx)).toEqual({
      ruleId: 'INSTRUMENT_HALTED',
      reason: 'Instrument AAPL (Apple Inc.) is halted.',
    });
  });

  it('when the instrument is unknown, then it stays quiet', () => {
    expect(instrumentHalted.evaluate(aContext({ reference: { instrument: undefined } }))).toBeUndefined();
  });
});
