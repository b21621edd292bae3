import { maxNotionalPerTrade } from '../../../src/domain/rules/max-notional-per-trade';
import { ACCOUNT, aContext } from '../fixtures';

describe('MAX_NOTIONAL_PER_TRADE', () => {
  it("when the notional is at the account's limit, then it passes", () => {
    expect(
      maxNotionalPerTrade.evaluate(aContext({ trade: { quantity: 5_000, price: 200 } })),
    ).toBeUndefined();
  });

  it('when the notional meets the limit only up to float noise, then it passes', () => {
    // 3 × 0.1 is 0.30000000000000004 in binary floats.
    const account = { ...ACCOUNT, limits: { ...ACCOUNT.limits, maxNotionalPerTrade: 0.3 } };
    const ctx = aContext({ trade: { quantity: 3, price: 0.1 }, reference: { account } });

    expect(maxNotionalPerTrade.evaluate(ctx)).toBeUndefined();
  });

  it("when the notional exceeds the account's limit, then it fails with the notional, its parts and the limit", () => {
    expect(maxNotionalPerTrade.evaluate(aContext({ trade: { quantity: 5_000, price: 250 } }))).toEqual({
      ruleId: 'MAX_NOTIONAL_PER_TRADE',
      reason:
        "Notional 1,250,000.00 USD (5,000 × 250.00) exceeds the account's limit of 1,000,000.00 per trade.",
    });
  });

  it('when the account is unknown, then it stays quiet', () => {
    const ctx = aContext({ trade: { quantity: 5_000, price: 250 }, reference: { account: undefined } });

    expect(maxNotionalPerTrade.evaluate(ctx)).toBeUndefined();
  });
});
