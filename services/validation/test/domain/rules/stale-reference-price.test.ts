import { staleReferencePrice } from '../../../src/domain/rules/stale-reference-price';
import { aContext, PRICE } from '../fixtures';

const pricedAt = (asOf: string) =>
  aContext({
    reference: { price: { ...PRICE, asOf } },
    now: new Date('2025-03-10T14:30:00Z'),
    settings: { stalePriceMaxAgeMs: 15 * 60_000 },
  });

describe('STALE_REFERENCE_PRICE', () => {
  it('when the price is younger than the maximum age, then it passes', () => {
    expect(staleReferencePrice.evaluate(pricedAt('2025-03-10T14:20:00Z'))).toBeUndefined();
  });

  it('when the price is exactly the maximum age, then it passes', () => {
    expect(staleReferencePrice.evaluate(pricedAt('2025-03-10T14:15:00Z'))).toBeUndefined();
  });

  it('when the price is older than the maximum age, then it fails with its age and the limit', () => {
    expect(staleReferencePrice.evaluate(pricedAt('2025-03-10T12:25:00Z'))).toEqual({
      ruleId: 'STALE_REFERENCE_PRICE',
      reason:
        'The reference price 196.85 of AAPL is from 2025-03-10T12:25:00Z, 2 h 5 min old; prices older than 15 min are stale.',
    });
  });

  it('when the price carries a time zone offset, then its age is measured in absolute time', () => {
    // 15:20 in Paris (UTC+1 in March) is 14:20 UTC: ten minutes old, not fifty.
    expect(staleReferencePrice.evaluate(pricedAt('2025-03-10T15:20:00+01:00'))).toBeUndefined();
    expect(staleReferencePrice.evaluate(pricedAt('2025-03-10T14:20:00-01:00'))).toBeUndefined();
    expect(staleReferencePrice.evaluate(pricedAt('2025-03-10T14:20:00+01:00'))?.ruleId).toBe(
      'STALE_REFERENCE_PRICE',
    );
  });

  it('when there is no price, then it stays quiet (NO_REFERENCE_PRICE reports it)', () => {
    expect(staleReferencePrice.evaluate(aContext({ reference: { price: undefined } }))).toBeUndefined();
  });
});
