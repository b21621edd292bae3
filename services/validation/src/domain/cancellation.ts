/**
 * What a cancellation changes, as a pure computation: the cancelled version's record is found in its own
 * fingerprint bucket (the cancellation carries the version's fingerprint fields and trade time), and what that
 * version counted is released from its day's total once: the entry is marked released in the same conditional
 * transaction that lowers the total, so a redelivered cancellation finds the mark and releases nothing more.
 */
import type { TradeCancelled } from '@tradeflow/contracts';
import type { FingerprintBucket } from './batch-plan';
import { duplicateFingerprint, fingerprintBucketKey } from './trade-facts';

/** The bucket holding the cancelled version's record. */
export function cancelledBucketKey(cancellation: TradeCancelled, windowMs: number): string {
  return fingerprintBucketKey(
    duplicateFingerprint(cancellation),
    Date.parse(cancellation.tradeTime),
    windowMs,
  );
}

/**
 * What to do for one cancellation:
 * - `release`: the version counted `amount` towards `dayKey` and was not released yet; mark entry `index`;
 * - `already_released`: a redelivered cancellation (or an instance that lost the race): nothing to do;
 * - `nothing_counted`: the version was rejected (or counted 0): nothing to release;
 * - `unknown`: no judged record of the version (never judged, or its bucket expired): nothing to release.
 */
export type CancellationPlan =
  | { readonly result: 'release'; readonly index: number; readonly dayKey: string; readonly amount: number }
  | { readonly result: 'already_released' | 'nothing_counted' | 'unknown' };

/** Reads the cancelled version's record in its bucket (undefined: the bucket does not exist). */
export function planCancellation(
  cancellation: TradeCancelled,
  bucket: FingerprintBucket | undefined,
): CancellationPlan {
  const index = (bucket?.entries ?? []).findIndex(
    (e) =>
      e.tradeId === cancellation.tradeId && e.version === cancellation.version && e.judgement !== undefined,
  );
  const judgement = index < 0 ? undefined : bucket?.entries[index]?.judgement;
  if (judgement === undefined) return { result: 'unknown' };
  if (judgement.releasedAt !== undefined) return { result: 'already_released' };
  if (judgement.counted === 0 || judgement.dayKey === undefined) return { result: 'nothing_counted' };
  return { result: 'release', index, dayKey: judgement.dayKey, amount: judgement.counted };
}
