/**
 * The project's own span attribute names (namespace `tradeflow.`), one place for every service, so a trace
 * can be searched by them in Jaeger (`tradeflow.trade_id=...`).
 */
export const TradeflowAttributes = {
  /** The trade a span works on. */
  tradeId: 'tradeflow.trade_id',
  /** The account of that trade. */
  accountId: 'tradeflow.account_id',
  /** The trade version (1, then +1 per amendment). */
  tradeVersion: 'tradeflow.trade_version',
  /** The validation outcome: `VALIDATED` or `REJECTED`. */
  ruleOutcome: 'tradeflow.rule_outcome',
  /** The ids of the rules a rejected trade failed (string array; empty when validated). */
  failedRules: 'tradeflow.failed_rules',
} as const;

/** What `tradeAttributes` reads of a trade (structural: the platform does not know the contracts). */
export interface TradeIdentity {
  tradeId: string;
  accountId: string;
  version?: number;
}

/** What `outcomeAttributes` reads of a validation outcome. */
export interface OutcomeSummary extends TradeIdentity {
  status: string;
  failures: readonly { ruleId: string }[];
}

/** The attributes of the spans that work on one trade: its id, account and version. */
export function tradeAttributes(trade: TradeIdentity): Record<string, string | number | string[]> {
  return {
    [TradeflowAttributes.tradeId]: trade.tradeId,
    [TradeflowAttributes.accountId]: trade.accountId,
    ...(trade.version === undefined ? {} : { [TradeflowAttributes.tradeVersion]: trade.version }),
  };
}

/** The attributes of the spans that carry a trade's validation outcome: the trade's, the outcome and the failed rules. */
export function outcomeAttributes(outcome: OutcomeSummary): Record<string, string | number | string[]> {
  return {
    ...tradeAttributes(outcome),
    [TradeflowAttributes.ruleOutcome]: outcome.status,
    [TradeflowAttributes.failedRules]: outcome.failures.map((f) => f.ruleId),
  };
}
