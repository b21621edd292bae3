export { DEFAULT_VALIDATION_SETTINGS } from './context';
export type { ReferenceData, ValidationContext, ValidationSettings } from './context';
export { defineRule } from './rule';
export type { Rule, RuleSpec } from './rule';
export { RULE_SET, RULES } from './rule-set';
export type { RuleId, RuleInfo } from './rule-set';
export { validateTrade } from './validate-trade';
export { FX_BASE_CURRENCY, notional, notionalInAccountCurrency, roundAmount, usdPerUnit } from './notional';
export type { AccountNotional } from './notional';
export { isKnownTimeZone, localDateTime, tradingDay } from './market-clock';
export type { LocalDateTime } from './market-clock';
export { referenceFor } from './reference-lookup';
export type { ReferenceLookup } from './reference-lookup';
export {
  dailyTotalKey,
  duplicateFingerprint,
  fingerprintBucketKey,
  fingerprintBucketKeysAround,
  fingerprintBucketKeysToRead,
  parseDailyTotalKey,
  previousFingerprint,
  tradeDayOf,
  tradeKey,
} from './trade-facts';
export { chunkWrites, MAX_BUCKET_ENTRIES, planBatch } from './batch-plan';
export type {
  BatchState,
  BucketEntry,
  Contribution,
  DailyTotal,
  EarlierTrade,
  FingerprintBucket,
  FingerprintWrite,
  Judgement,
  PlannedTrade,
  PlanOptions,
  ReadRevisions,
  TotalDelta,
  TotalWrite,
  WriteChunk,
} from './batch-plan';
export { outcomeOf, recordedState } from './recorded-state';
export type { RecordedState } from './recorded-state';
export { cancelledBucketKey, planCancellation } from './cancellation';
export type { CancellationPlan } from './cancellation';
