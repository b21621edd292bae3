import { priceCollar } from '../../../src/domain/rules/price-collar';
import { aContext, PRICE } from '../fixtures';

const at = (price: number, referencePrice = 196.85, collarPercent = 5) =>
  aContext({
    trade: { price },
    reference: { price: { ...PRICE, price: referencePrice } },
    settings: { priceCollarPercent: collarPercent },
  });

describe('PRICE_COLLAR', () => {
  it('when the price is within the collar, then it passes', () => {
    expect(priceCollar.evaluate(at(197.1))).toBeUndefined();
    expect(priceCollar.evaluate(at(190))).toBeUndefined();
  });

  it('when the price is exactly on the collar, then it passes despite float noise', () => {
    // (1.05 - 1) / 1 * 100 is 5.000000000000004 in binary floats, and so is the deviation of 2.10 from 2.
    expect(Math.abs(((1.05 - 1) / 1) * 100)).toBeGreaterThan(5);
    expect(priceCollar.evaluate(at(1.05, 1))).toBeUndefined();
    expect(priceCollar.evaluate(at(0.95, 1))).toBeUndefined();
    expect(priceCollar.evaluate(at(2.1, 2))).toBeUndefined();
  });

  it('when the price is above the collar, then it fails with the deviation, the reference price and the collar', () => {
    expect(priceCollar.evaluate(at(212.4))).toEqual({
      ruleId: 'PRICE_COLLAR',
      reason: 'Price 212.40 is 7.9% above the reference price 196.85; the collar is ±5%.',
    });
  });

  it('when the price is below the collar, then it says below', () => {
    expect(priceCollar.evaluate(at(180))?.reason).toBe(
      'Price 180.00 is 8.6% below the reference price 196.85; the collar is ±5%.',
    );
  });

  it('when the deviation rounds to the collar, then it shows enough decimals to tell them apart', () => {
    expect(priceCollar.evaluate(at(105.04, 100))?.reason).toBe(
      'Price 105.04 is 5.04% above the reference price 100.00; the collar is ±5%.',
    );
  });

  it('when the collar is configured tighter, then the same price fails', () => {
    expect(priceCollar.evaluate(at(197.1, 196.85, 0.2))).toBeUndefined();
    expect(priceCollar.evaluate(at(197.1, 196.85, 0.1))?.reason).toBe(
      'Price 197.10 is 0.13% above the reference price 196.85; the collar is ±0.1%.',
    );
  });

  it('when there is no reference price, then it stays quiet (NO_REFERENCE_PRICE reports it)', () => {
    const ctx = aContext({ trade: { price: 999 }, reference: { price: undefined } });

    expect(priceCollar.evaluate(ctx)).toBeUndefined();
  });
});
