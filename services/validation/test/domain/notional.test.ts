import { notional, notionalInAccountCurrency } from '../../src/domain';
import { GBP_RATE, JPY_RATE } from './fixtures';
import { exceeds, formatDuration, formatPercent, formatPrice } from '../../src/domain/numbers';

describe('notional', () => {
  it('when computed, then it is quantity times price', () => {
    expect(notional({ quantity: 100, price: 197.1 })).toBe(19_710);
    expect(notional({ quantity: 1_000_000, price: 2_512.5 })).toBe(2_512_500_000);
  });

  it('when the float product carries noise, then the noise is rounded away', () => {
    expect(3 * 0.1).not.toBe(0.3);
    expect(notional({ quantity: 3, price: 0.1 })).toBe(0.3);
    expect(notional({ quantity: 7, price: 0.0001 })).toBe(0.0007);
  });
});

describe('notionalInAccountCurrency', () => {
  const trade = { quantity: 1_000, price: 250 };

  it('when the trade and the account share a currency, then the notional is kept and no rate is needed', () => {
    expect(notionalInAccountCurrency({ ...trade, currency: 'EUR' }, { currency: 'EUR' }, {})).toEqual({
      ok: true,
      value: 250_000,
      converted: false,
    });
  });

  it('when converting into USD, then the notional is multiplied by the trade currency rate', () => {
    expect(
      notionalInAccountCurrency({ ...trade, currency: 'GBP' }, { currency: 'USD' }, { GBP: GBP_RATE }),
    ).toEqual({ ok: true, value: 317_500, converted: true });
  });

  it('when converting from USD, then the notional is divided by the account currency rate', () => {
    const result = notionalInAccountCurrency(
      { ...trade, currency: 'USD' },
      { currency: 'JPY' },
      { JPY: JPY_RATE },
    );

    expect(result).toEqual({ ok: true, value: 37_313_432.835821, converted: true });
  });

  it('when converting between two non-USD currencies, then the amount goes through USD', () => {
    // 250,000 JPY × 0.0067 = 1,675 USD = 1,318.897638 GBP.
    const result = notionalInAccountCurrency(
      { ...trade, currency: 'JPY' },
      { currency: 'GBP' },
      { GBP: GBP_RATE, JPY: JPY_RATE },
    );

    expect(result).toEqual({ ok: true, value: 1_318.897638, converted: true });
  });

  it('when a rate is missing, then the missing currencies are named instead of a value', () => {
    expect(notionalInAccountCurrency({ ...trade, currency: 'JPY' }, { currency: 'GBP' }, {})).toEqual({
      ok: false,
      missing: ['JPY', 'GBP'],
    });
    expect(notionalInAccountCurrency({ ...trade, currency: 'JPY' }, { currency: 'USD' }, undefined)).toEqual({
      ok: false,
      missing: ['JPY'],
    });
  });
});

describe('numbers', () => {
  it('when a value equals a limit up to float noise, then it does not exceed it; above by a cent, it does', () => {
    expect(exceeds(0.1 + 0.2, 0.3)).toBe(false);
    expect(exceeds(5_000_000, 5_000_000)).toBe(false);
    expect(exceeds(5_000_000.01, 5_000_000)).toBe(true);
  });

  it('when durations are formatted, then the two largest units show', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(60_000)).toBe('1 min');
    expect(formatDuration(7_500_000)).toBe('2 h 5 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000 + 59_000)).toBe('3 d 4 h');
    expect(formatDuration(250)).toBe('250 ms');
  });

  it('when prices and percentages are formatted, then they read as people write them', () => {
    expect(formatPrice(212.4)).toBe('212.40');
    expect(formatPrice(1234.5678)).toBe('1,234.5678');
    expect(formatPercent(7.94)).toBe('7.9');
    expect(formatPercent(5)).toBe('5');
  });
});
