import { noFxRate } from '../../../src/domain/rules/no-fx-rate';
import { ACCOUNT, aContext, GBP_RATE, JPY_RATE } from '../fixtures';

const EUR_ACCOUNT = { ...ACCOUNT, currency: 'EUR' };

describe('NO_FX_RATE', () => {
  it("when the trade is in the account's currency, then it needs no rate and passes", () => {
    expect(noFxRate.evaluate(aContext())).toBeUndefined();
    expect(
      noFxRate.evaluate(aContext({ trade: { currency: 'EUR' }, reference: { account: EUR_ACCOUNT } })),
    ).toBeUndefined();
  });

  it('when converting into USD and the trade currency has a rate, then it passes', () => {
    const ctx = aContext({ trade: { currency: 'GBP' }, reference: { fxRates: { GBP: GBP_RATE } } });

    expect(noFxRate.evaluate(ctx)).toBeUndefined();
  });

  it('when converting between two non-USD currencies that both have a rate, then it passes', () => {
    const ctx = aContext({
      trade: { currency: 'JPY' },
      reference: { account: { ...ACCOUNT, currency: 'GBP' }, fxRates: { GBP: GBP_RATE, JPY: JPY_RATE } },
    });

    expect(noFxRate.evaluate(ctx)).toBeUndefined();
  });

  it("when the trade currency has no rate, then it fails naming it and the account's currency", () => {
    const ctx = aContext({ trade: { currency: 'GBP' } });

    expect(noFxRate.evaluate(ctx)).toEqual({
      ruleId: 'NO_FX_RATE',
      reason:
        'There is no FX rate for GBP, so the notional of this GBP trade cannot be converted into USD, ' +
        "the currency of account ACC-001's limits.",
    });
  });

  it('when neither currency has a rate, then it names both', () => {
    const ctx = aContext({ trade: { currency: 'JPY' }, reference: { account: EUR_ACCOUNT } });

    expect(noFxRate.evaluate(ctx)?.reason).toMatch(/^There is no FX rate for JPY or EUR, /);
  });

  it("when only the account's currency lacks a rate, then it names that one", () => {
    const ctx = aContext({
      trade: { currency: 'GBP' },
      reference: { account: EUR_ACCOUNT, fxRates: { GBP: GBP_RATE } },
    });

    expect(noFxRate.evaluate(ctx)?.reason).toMatch(/^There is no FX rate for EUR, /);
  });

  it('when the account is unknown, then it stays quiet (UNKNOWN_ACCOUNT reports it)', () => {
    expect(
      noFxRate.evaluate(aContext({ trade: { currency: 'GBP' }, reference: { account: undefined } })),
    ).toBeUndefined();
  });
});
