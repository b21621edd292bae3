import { noReferencePrice } from '../../../src/domain/rules/no-reference-price';
import { aContext } from '../fixtures';

describe('NO_REFERENCE_PRICE', () => {
  it('when the instrument has a reference price, then it passes', () => {
    expect(noReferencePrice.evaluate(aContext())).toBeUndefined();
  });

  it('when the instrument has no reference price, then it fails naming the symbol', () => {
    expect(noReferencePrice.evaluate(aContext({ reference: { price: undefined } }))).toEqual({
      ruleId: 'NO_REFERENCE_PRICE',
      reason: 'There is no reference price for AAPL.',
    });
  });

  it('when the instrument is unknown too, then it stays quiet (UNKNOWN_INSTRUMENT reports it)', () => {
    const ctx = aContext({ reference: { instrument: undefined, price: undefined } });

    expect(noReferencePrice.evaluate(ctx)).toBeUndefined();
  });
});
