import { marketNotPermitted } from '../../../src/domain/rules/market-not-permitted';
import { ACCOUNT, aContext, TOYOTA, XTKS } from '../fixtures';

describe('MARKET_NOT_PERMITTED', () => {
  it("when the instrument's market is one the account may trade on, then it passes", () => {
    expect(marketNotPermitted.evaluate(aContext())).toBeUndefined();
  });

  it('when the account may not trade on the instrument’s market, then it fails listing the permitted ones', () => {
    const ctx = aContext({
      trade: { symbol: '7203', currency: 'JPY' },
      reference: { instrument: TOYOTA, market: XTKS },
    });

    expect(marketNotPermitted.evaluate(ctx)).toEqual({
      ruleId: 'MARKET_NOT_PERMITTED',
      reason: 'Account ACC-001 may trade on XNYS, XLON only; 7203 trades on XTKS.',
    });
  });

  it('when the account or the instrument is unknown, then it stays quiet', () => {
    const noAccount = aContext({ reference: { account: undefined, instrument: TOYOTA, market: XTKS } });
    const noInstrument = aContext({
      reference: { account: { ...ACCOUNT, permittedMarkets: ['XLON'] }, instrument: undefined },
    });

    expect(marketNotPermitted.evaluate(noAccount)).toBeUndefined();
    expect(marketNotPermitted.evaluate(noInstrument)).toBeUndefined();
  });
});
