import { currencyMismatch } from '../../../src/domain/rules/currency-mismatch';
import { aContext } from '../fixtures';

describe('CURRENCY_MISMATCH', () => {
  it("when the trade is in the instrument's currency, then it passes", () => {
    expect(currencyMismatch.evaluate(aContext())).toBeUndefined();
  });

  it('when the trade is in another currency, then it fails naming both currencies', () => {
    const ctx = aContext({ trade: { currency: 'EUR' } });

    expect(currencyMismatch.evaluate(ctx)).toEqual({
      ruleId: 'CURRENCY_MISMATCH',
      reason: 'Trade currency EUR differs from USD, the currency AAPL trades in.',
    });
  });

  it('when the instrument is unknown, then it stays quiet', () => {
    const ctx = aContext({ trade: { currency: 'EUR' }, reference: { instrument: undefined } });

    expect(currencyMismatch.evaluate(ctx)).toBeUndefined();
  });
});
