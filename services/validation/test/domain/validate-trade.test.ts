import { TradeOutcome } from '@tradeflow/contracts';
import { RULES, validateTrade } from '../../src/domain';
import { aContext, restricted } from './fixtures';

describe('validateTrade', () => {
  it('when every rule passes, then the outcome is VALIDATED with no failures and carries the trade identity', () => {
    const ctx = aContext({ trade: { tradeId: 'T-42', version: 3 } });

    const outcome = validateTrade(ctx);

    expect(outcome).toEqual({
      tradeId: 'T-42',
      accountId: 'ACC-001',
      version: 3,
      status: 'VALIDATED',
      failures: [],
      validatedAt: '2025-03-10T14:30:05.000Z',
    });
    expect(TradeOutcome.safeParse(outcome).success).toBe(true);
  });

  it('when several rules fail, then the outcome is REJECTED with every failure in rule order', () => {
    const ctx = aContext({
      // Saturday in New York; 12,000 × 212.40 is far above the per-trade and daily limits.
      trade: { quantity: 12_000, price: 212.4, tradeTime: '2025-03-08T15:00:00Z' },
      reference: { restricted: restricted() },
      probableDuplicateOf: 'T-0',
    });

    const outcome = validateTrade(ctx);

    expect(outcome.status).toBe('REJECTED');
    expect(outcome.failures.map((failure) => failure.ruleId)).toEqual([
      'RESTRICTED_INSTRUMENT',
      'PRICE_COLLAR',
      'MAX_QUANTITY',
      'MAX_NOTIONAL_PER_TRADE',
      'OUTSIDE_TRADING_HOURS',
      'PROBABLE_DUPLICATE',
    ]);
    expect(outcome.failures.every((failure) => failure.reason.length > 20)).toBe(true);
    expect(TradeOutcome.safeParse(outcome).success).toBe(true);
  });

  it('when the daily total is already near the limit, then a trade within the per-trade limit is rejected for the day', () => {
    const outcome = validateTrade(aContext({ dailyNotionalBefore: 4_990_000 }));

    expect(outcome.failures.map((failure) => failure.ruleId)).toEqual(['MAX_NOTIONAL_PER_DAY']);
  });

  it('when no reference data is known at all, then only the missing account and instrument are reported', () => {
    const ctx = aContext({
      reference: { account: undefined, instrument: undefined, market: undefined, price: undefined },
    });

    expect(validateTrade(ctx).failures.map((failure) => failure.ruleId)).toEqual([
      'UNKNOWN_ACCOUNT',
      'UNKNOWN_INSTRUMENT',
    ]);
  });

  it('when the price is missing, then the missing price is reported and the collar is not', () => {
    const ctx = aContext({ trade: { price: 500 }, reference: { price: undefined } });

    expect(validateTrade(ctx).failures.map((failure) => failure.ruleId)).toEqual(['NO_REFERENCE_PRICE']);
  });

  it('when failures are listed, then their order follows RULES', () => {
    const ctx = aContext({
      trade: { quantity: 12_000, price: 212.45, currency: 'EUR', tradeTime: '2025-03-08T15:00:00Z' },
      reference: { price: undefined, restricted: restricted() },
      probableDuplicateOf: 'T-0',
      dailyNotionalBefore: 5_000_000,
    });
    const order = RULES.map((rule) => rule.id as string);

    const positions = validateTrade(ctx).failures.map((failure) => order.indexOf(failure.ruleId));

    expect(positions.length).toBeGreaterThan(5);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(positions).not.toContain(-1);
  });
});
