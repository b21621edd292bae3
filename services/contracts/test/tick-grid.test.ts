import { decimalPlaces, isOnTickGrid, snapToTick } from '../src';

describe('tick grid', () => {
  it('when a price is a whole number of ticks, then it is on the grid despite binary floating point', () => {
    // 0.3 / 0.1 and 190.01 % 0.01 are not exact in floating point; the check must still say yes.
    expect(isOnTickGrid(0.3, 0.1)).toBe(true);
    expect(isOnTickGrid(190.01, 0.01)).toBe(true);
    expect(isOnTickGrid(2999.5, 0.5)).toBe(true);
    expect(isOnTickGrid(12345, 5)).toBe(true);
    expect(isOnTickGrid(0.123, 0.001)).toBe(true);
  });

  it('when a price falls between ticks or has more decimals than the tick, then it is off the grid', () => {
    expect(isOnTickGrid(190.015, 0.01)).toBe(false);
    expect(isOnTickGrid(2999.7, 0.5)).toBe(false);
    expect(isOnTickGrid(12347, 5)).toBe(false);
    expect(isOnTickGrid(0.30000000000000004, 0.1)).toBe(false);
  });

  it('when price or tick is not a positive finite number, then it is off the grid', () => {
    expect(isOnTickGrid(0, 0.01)).toBe(false);
    expect(isOnTickGrid(-1, 0.01)).toBe(false);
    expect(isOnTickGrid(1, 0)).toBe(false);
    expect(isOnTickGrid(Number.NaN, 0.01)).toBe(false);
    expect(isOnTickGrid(Infinity, 0.01)).toBe(false);
  });

  it('when counting decimals, then exponent notation is understood', () => {
    expect(decimalPlaces(5)).toBe(0);
    expect(decimalPlaces(0.005)).toBe(3);
    expect(decimalPlaces(1e-7)).toBe(7);
    expect(decimalPlaces(1.5e-7)).toBe(8);
  });

  it('when snapping, then the result is the nearest tick printed without binary noise, never zero', () => {
    expect(snapToTick(190.004, 0.01)).toBe(190);
    expect(snapToTick(0.1 + 0.2, 0.1)).toBe(0.3);
    expect(snapToTick(12_347.6, 5)).toBe(12_350);
    expect(snapToTick(0.001, 0.5)).toBe(0.5);
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

  it('when a tick size is written with or without an exponent, then its decimals are counted right', () => {
    expect(decimalPlaces(0.01)).toBe(2);
    expect(decimalPlaces(0.005)).toBe(3);
    expect(decimalPlaces(5)).toBe(0);
    expect(decimalPlaces(1e-7)).toBe(7);
    expect(decimalPlaces(2.5e-7)).toBe(8);
  });
});
