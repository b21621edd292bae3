import { maxQuantity } from '../../../src/domain/rules/max-quantity';
import { aContext } from '../fixtures';

describe('MAX_QUANTITY', () => {
  it("when the quantity is at the account's maximum, then it passes", () => {
    expect(maxQuantity.evaluate(aContext({ trade: { quantity: 10_000, price: 1 } }))).toBeUndefined();
  });

  it("when the quantity is above the account's maximum, then it fails with both numbers", () => {
    expect(maxQuantity.evaluate(aContext({ trade: { quantity: 12_000 } }))).toEqual({
      ruleId: 'MAX_QUANTITY',
      reason: "Quantity 12,000 exceeds the account's maximum of 10,000 per trade.",
    });
  });

  it('when the account is unknown, then it stays quiet', () => {
    const ctx = aContext({ trade: { quantity: 12_000 }, reference: { account: undefined } });

    expect(maxQuantity.evaluate(ctx)).toBeUndefined();
  });
});
