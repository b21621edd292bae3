import { decimalsOf, isOnTickGrid, tickSize } from '../../../src/domain/rules/tick-size';
import { AAPL, aContext } from '../fixtures';

const withTick = (price: number, tick: number) =>
  aContext({ trade: { price }, reference: { instrument: { ...AAPL, tickSize: tick } } });

describe('TICK_SIZE', () => {
  it('when the price is on the tick grid, then it passes', () => {
    expect(tickSize.evaluate(withTick(197.1, 0.01))).toBeUndefined();
    expect(tickSize.evaluate(withTick(2500.5, 0.5))).toBeUndefined();
    expect(tickSize.evaluate(withTick(12.345, 0.005))).toBeUndefined();
  });

  it('when float division lands a hair off a whole number of ticks, then it still counts as on the grid', () => {
    // 0.3 / 0.1 = 2.9999999999999996 and 4.35 / 0.05 = 86.99999999999999 in binary floats.
    expect(0.3 / 0.1).not.toBe(3);
    expect(isOnTickGrid(0.3, 0.1)).toBe(true);
    expect(isOnTickGrid(4.35, 0.05)).toBe(true);
    expect(isOnTickGrid(1.1, 0.1)).toBe(true);
    expect(isOnTickGrid(123_456.78, 0.01)).toBe(true);
    expect(isOnTickGrid(9_999_999.9999, 0.0001)).toBe(true);
  });

  it('when the price is a fraction of a tick off the grid, then it is off the grid however small the tick', () => {
    expect(isOnTickGrid(197.105, 0.01)).toBe(false);
    expect(isOnTickGrid(12.346, 0.005)).toBe(false);
    expect(isOnTickGrid(9_999_999.99995, 0.0001)).toBe(false);
    expect(isOnTickGrid(0.30001, 0.1)).toBe(false);
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

  it('when a tick size is written with or without an exponent, then its decimals are counted right', () => {
    expect(decimalsOf(0.01)).toBe(2);
    expect(decimalsOf(0.005)).toBe(3);
    expect(decimalsOf(5)).toBe(0);
    expect(decimalsOf(1e-7)).toBe(7);
    expect(decimalsOf(2.5e-7)).toBe(8);
  });
});
