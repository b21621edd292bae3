import { RULE_SET, RULES } from '../../src/domain';

describe('RULES', () => {
  it('when listed, then they hold every rule of the issue and the unknown-market guard, in evaluation order', () => {
    expect(RULES.map((rule) => rule.id)).toEqual([
      'UNKNOWN_ACCOUNT',
      'UNKNOWN_INSTRUMENT',
      'UNKNOWN_MARKET',
      'INSTRUMENT_HALTED',
      'RESTRICTED_INSTRUMENT',
      'MARKET_NOT_PERMITTED',
      'CURRENCY_MISMATCH',
      'LOT_SIZE',
      'TICK_SIZE',
      'NO_REFERENCE_PRICE',
      'STALE_REFERENCE_PRICE',
      'PRICE_COLLAR',
      'MAX_QUANTITY',
      'NO_FX_RATE',
      'MAX_NOTIONAL_PER_TRADE',
      'MAX_NOTIONAL_PER_DAY',
      'OUTSIDE_TRADING_HOURS',
      'PROBABLE_DUPLICATE',
    ]);
  });

  it('when used as metric labels and doc entries, then ids are unique upper snake case and descriptions one sentence', () => {
    const ids = RULES.map((rule) => rule.id);

    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
      expect(rule.description).toMatch(/^[A-Z][^\n]{10,150}\.$/);
    }
  });

  it('when compared with the rule set, then each entry describes the rule evaluated at that position', () => {
    expect(RULES).toEqual(RULE_SET.map((rule) => ({ id: rule.id, description: rule.description })));
  });
});
