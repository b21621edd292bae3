import { tickSize } from '../../../src/domain/rules/tick-size';
import { AAPL, aContext } from '../fixtures';

const withTick = (price: number, tick: number) =>
  aContext({ trade: { price }, reference: { instrument: { ...AAPL, tickSize: tick } } });

describe('TICK_SIZE', () => {
  it('when the price is on the tick grid, then it passes', () => {
    expect(tickSize.evaluate(withTick(197.1, 0.01))).toBeUndefined();
    expect(tickSize.evaluate(withTick(2500.5, 0.5))).toBeUndefined();
    expect(tickSize.evaluate(withTick(12.345, 0.005))).toBeUndefined();
  });

  it('when the price is off the grid, then it fails naming the tick and the nearest valid prices', () => {
    expect(tickSize.evaluate(withTick(12.347, 0.005))).toEqual({
      ruleId: 'TICK_SIZE',
      reason:
        'Price 12.347 is not on the tick grid of 0.005 for AAPL; the nearest valid prices are 12.345 and 12.350.',
    });
  });

  it('when the instrument is unknown, then it stays quiet', () => {
    const ctx = aContext({ trade: { price: 1.234567 }, reference: { instrument: undefined } });

    expect(tickSize.evaluate(ctx)).toBeUndefined();
  });
});
