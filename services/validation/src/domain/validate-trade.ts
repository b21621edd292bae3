import type { RuleFailure, TradeOutcome } from '@tradeflow/contracts';
import type { ValidationContext } from './context';
import { RULE_SET } from './rule-set';

/** Runs every rule against the trade: VALIDATED when none fails, otherwise REJECTED with all failures in rule order. */
export function validateTrade(ctx: ValidationContext): TradeOutcome {
  const failures: RuleFailure[] = [];
  for (const rule of RULE_SET) {
    const failure = rule.evaluate(ctx);
    if (failure !== undefined) failures.push(failure);
  }
  return {
    tradeId: ctx.trade.tradeId,
    accountId: ctx.trade.accountId,
    version: ctx.trade.version,
    status: failures.length === 0 ? 'VALIDATED' : 'REJECTED',
    failures,
    validatedAt: ctx.now.toISOString(),
  };
}
