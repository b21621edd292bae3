/** Every Kafka topic the bounded contexts share, with who owns (publishes to) it. */
export const Topics = {
  /**
   * trades → validation: a trade's lifecycle as validation needs it, in order per account (keyed by account
   * id): submissions and amendments (`tradeSubmitted`, data TradeSubmitted) and cancellations (`tradeCancelled`,
   * data TradeCancelled), so a cancellation is never seen before the version it cancels.
   */
  tradesSubmitted: 'trades.submitted',
  /** validation → trades, workflows, notifications: the outcome of a validation. Keyed by account id. */
  tradeOutcomes: 'trades.outcomes',
  /** trades → notifications, workflows: a trade's status changed (amended, cancelled, ...). Keyed by account id. */
  tradeLifecycle: 'trades.lifecycle',
  /** reference-data → validation: compacted, keyed by `<kind>:<id>`; a null value deletes the entity. */
  referenceChanges: 'reference.changes',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** CloudEvents `type` of every event, namespaced by the context that owns it. */
export const EventTypes = {
  tradeSubmitted: 'tradeflow.trades.submitted.v1',
  tradeValidated: 'tradeflow.validation.trade-validated.v1',
  tradeRejected: 'tradeflow.validation.trade-rejected.v1',
  tradeAmended: 'tradeflow.trades.amended.v1',
  tradeCancelled: 'tradeflow.trades.cancelled.v1',
  referenceChanged: 'tradeflow.reference.changed.v1',
} as const;
