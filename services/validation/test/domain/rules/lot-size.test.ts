import { lotSize } from '../../../src/domain/rules/lot-size';
import { aContext, TOYOTA, XTKS } from '../fixtures';

const toyota = (quantity: number) =>
  aContext({
    trade: { symbol: '7203', currency: 'JPY', price: 2500, quantity },
    reference: { instrument: TOYOTA, market: XTKS },
  });

describe('LOT_SIZE', () => {
  it('when the quantity is a whole number of lots, then it passes', () => {
    expect(lotSize.evaluate(toyota(100))).toBeUndefined();
    expect(lotSize.evaluate(toyota(2_300))).toBeUndefined();
  });

  it('when the quantity is not a multiple of the lot size, then it fails naming quantity and lot size', () => {
    expect(lotSize.evaluate(toyota(1_150))).toEqual({
      ruleId: 'LOT_SIZE',
      reason: 'Quantity 1,150 is not a multiple of the lot size 100 of 7203.',
    });
  });

  it('when the instrument is unknown, then it stays quiet', () => {
    const ctx = aContext({ trade: { quantity: 7 }, reference: { instrument: undefined } });

    expect(lotSize.evaluate(ctx)).toBeUndefined();
  });
});
