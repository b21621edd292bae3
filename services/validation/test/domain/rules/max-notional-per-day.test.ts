import { maxNotionalPerDay } from '../../../src/domain/rules/max-notional-per-day';
import { aContext, GBP_RATE, XNYS } from '../fixtures';

// The account's daily limit is 5,000,000; this trade is 1,000 × 300 = 300,000.
const withBefore = (dailyNotionalBefore: number) =>
  aContext({ trade: { quantity: 1_000, price: 300 }, dailyNotionalBefore });

describe('MAX_NOTIONAL_PER_DAY', () => {
  it('when the day total including this trade stays within the limit, then it passes', () => {
    expect(maxNotionalPerDay.evaluate(withBefore(0))).toBeUndefined();
    expect(maxNotionalPerDay.evaluate(withBefore(4_000_000))).toBeUndefined();
  });

  it('when this trade brings the day total exactly to the limit, then it passes', () => {
    expect(maxNotionalPerDay.evaluate(withBefore(4_700_000))).toBeUndefined();
  });

  it('when this trade alone would exceed the limit, then it fails even with nothing counted before', () => {
    const ctx = aContext({ trade: { quantity: 10_000, price: 600 } });

    expect(maxNotionalPerDay.evaluate(ctx)?.ruleId).toBe('MAX_NOTIONAL_PER_DAY');
  });

  it('when this trade would take the day total over the limit, then it fails with the day, the totals and the limit', () => {
    expect(maxNotionalPerDay.evaluate(withBefore(4_800_000))).toEqual({
      ruleId: 'MAX_NOTIONAL_PER_DAY',
      reason:
        "Notional 300,000.00 USD would bring the account's total on 2025-03-10 to 5,100,000.00 USD " +
        '(4,800,000.00 USD already counted), above its daily limit of 5,000,000.00 USD.',
    });
  });

  it("when the trade is late in the evening in New York, then the day named is New York's, not UTC's", () => {
    // 01:30 UTC on the 11th is 21:30 on the 10th in New York.
    const ctx = aContext({
      trade: { quantity: 1_000, price: 300, tradeTime: '2025-03-11T01:30:00Z' },
      reference: { market: XNYS },
      dailyNotionalBefore: 4_800_000,
    });

    expect(maxNotionalPerDay.evaluate(ctx)?.reason).toContain('total on 2025-03-10 to');
  });

  it('when the market is unknown, then it still fails but names no day', () => {
    const ctx = aContext({
      trade: { quantity: 1_000, price: 300 },
      reference: { market: undefined },
      dailyNotionalBefore: 4_800_000,
    });

    expect(maxNotionalPerDay.evaluate(ctx)?.reason).toMatch(
      /^Notional 300,000.00 USD would bring the account's total to /,
    );
  });

  it("when the trade is in another currency, then the day total is kept and checked in the account's currency", () => {
    // 1,000 × 300 GBP = 300,000 GBP = 381,000 USD at 1.27; 4,650,000 + 381,000 = 5,031,000 USD > 5,000,000.
    const ctx = aContext({
      trade: { currency: 'GBP', quantity: 1_000, price: 300 },
      reference: { fxRates: { GBP: GBP_RATE } },
      dailyNotionalBefore: 4_650_000,
    });

    expect(maxNotionalPerDay.evaluate(ctx)?.reason).toBe(
      "Notional 300,000.00 GBP (381,000.00 USD) would bring the account's total on 2025-03-10 to 5,031,000.00 USD " +
        '(4,650,000.00 USD already counted), above its daily limit of 5,000,000.00 USD.',
    );
    expect(maxNotionalPerDay.evaluate({ ...ctx, dailyNotionalBefore: 4_600_000 })).toBeUndefined();
  });

  it('when the FX rate is missing, then it stays quiet (NO_FX_RATE reports it)', () => {
    const ctx = aContext({
      trade: { currency: 'GBP', quantity: 1_000, price: 300 },
      dailyNotionalBefore: 4_999_999,
    });

    expect(maxNotionalPerDay.evaluate(ctx)).toBeUndefined();
  });

  it('when the account is unknown, then it stays quiet', () => {
    const ctx = aContext({ reference: { account: undefined }, dailyNotionalBefore: 1e12 });

    expect(maxNotionalPerDay.evaluate(ctx)).toBeUndefined();
  });
});
