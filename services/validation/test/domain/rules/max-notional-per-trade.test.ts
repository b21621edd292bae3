import { maxNotionalPerTrade } from '../../../src/domain/rules/max-notional-per-trade';
import { ACCOUNT, aContext, GBP_RATE } from '../fixtures';

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
        "Notional 1,250,000.00 USD (5,000 × 250.00) exceeds the account's limit of 1,000,000.00 USD per trade.",
    });
  });

  it("when the trade is in another currency, then its notional is converted into the account's before the check", () => {
    // 3,000 × 250 GBP = 750,000 GBP = 952,500 USD at 1.27: within the 1,000,000 USD limit.
    const within = aContext({
      trade: { currency: 'GBP', quantity: 3_000, price: 250 },
      reference: { fxRates: { GBP: GBP_RATE } },
    });
    // 4,000 × 250 GBP = 1,000,000 GBP = 1,270,000 USD: over it, though the GBP amount is not.
    const over = aContext({
      trade: { currency: 'GBP', quantity: 4_000, price: 250 },
      reference: { fxRates: { GBP: GBP_RATE } },
    });

    expect(maxNotionalPerTrade.evaluate(within)).toBeUndefined();
    expect(maxNotionalPerTrade.evaluate(over)?.reason).toBe(
      "Notional 1,000,000.00 GBP (4,000 × 250.00), 1,270,000.00 USD in the account's currency, " +
        "exceeds the account's limit of 1,000,000.00 USD per trade.",
    );
  });

  it('when the FX rate is missing, then it stays quiet (NO_FX_RATE reports it)', () => {
    const ctx = aContext({ trade: { currency: 'GBP', quantity: 9_000, price: 250 } });

    expect(maxNotionalPerTrade.evaluate(ctx)).toBeUndefined();
  });

  it('when the account is unknown, then it stays quiet', () => {
    const ctx = aContext({ trade: { quantity: 5_000, price: 250 }, reference: { account: undefined } });

    expect(maxNotionalPerTrade.evaluate(ctx)).toBeUndefined();
  });
});
