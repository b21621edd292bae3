import { unknownMarket } from '../../../src/domain/rules/unknown-market';
import { aContext } from '../fixtures';

describe('UNKNOWN_MARKET', () => {
  it('when the instrument and its market are known, then it passes', () => {
    expect(unknownMarket.evaluate(aContext())).toBeUndefined();
  });

  it("when the instrument's market is not known, then it fails naming instrument and market", () => {
    const ctx = aContext({ reference: { market: undefined } });

    expect(unknownMarket.evaluate(ctx)).toEqual({
      ruleId: 'UNKNOWN_MARKET',
      reason: 'Instrument AAPL trades on XNYS, a market that is not known.',
    });
  });

  it('when the instrument itself is unknown, then it stays quiet (UNKNOWN_INSTRUMENT reports it)', () => {
    const ctx = aContext({ reference: { instrument: undefined, market: undefined } });

    expect(unknownMarket.evaluate(ctx)).toBeUndefined();
  });
});
