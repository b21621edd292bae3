/**
 * What the fingerprint buckets of a batch say, as a pure computation: each trade version's record lives in the
 * bucket of its own fingerprint and trade time, so the buckets read for the duplicate search also answer "was
 * this version judged already?" and, with the bucket of the version an amendment replaces, "what did that
 * version count?".
 */
import { TradeOutcome, type TradeSubmitted } from '@tradeflow/contracts';
import type { BucketEntry, Contribution, EarlierTrade, FingerprintBucket, Judgement } from './batch-plan';
import {
  duplicateFingerprint,
  fingerprintBucketKey,
  fingerprintBucketKeysAround,
  fingerprintBucketKeysToRead,
  tradeKey,
} from './trade-facts';

/** The recorded part of a batch's state, derived from its buckets. */
export interface RecordedState {
  /** By `tradeKey`: the outcome recorded for a trade version of the batch, to be republished unchanged. */
  readonly recorded: ReadonlyMap<string, TradeOutcome>;
  /**
   * By trade id, for the lowest version of each trade not recorded yet when it is above 1: what the newest
   * recorded earlier version counts.
   */
  readonly contributions: ReadonlyMap<string, Contribution>;
  /** By `tradeKey`, for versions not recorded yet: the earliest recorded identical trade within the window. */
  readonly earlierTrades: ReadonlyMap<string, EarlierTrade>;
}

/** The outcome a judgement recorded for `trade`'s version. */
export function outcomeOf(
  trade: Pick<TradeSubmitted, 'tradeId' | 'accountId' | 'version'>,
  judgement: Judgement,
): TradeOutcome {
  return TradeOutcome.parse({
    tradeId: trade.tradeId,
    accountId: trade.accountId,
    version: trade.version,
    status: judgement.status,
    failures: judgement.failures,
    validatedAt: judgement.validatedAt,
  });
}

/** Reads the batch's trades against the buckets read for them (see `fingerprintBucketKeysToRead`). */
export function recordedState(
  trades: readonly TradeSubmitted[],
  buckets: ReadonlyMap<string, FingerprintBucket>,
  windowMs: number,
): RecordedState {
  const entriesIn = (keys: readonly string[]): BucketEntry[] =>
    [...new Set(keys)].flatMap((key) => buckets.get(key)?.entries ?? []);
  const recorded = new Map<string, TradeOutcome>();
  for (const trade of trades) {
    const own = fingerprintBucketKey(duplicateFingerprint(trade), Date.parse(trade.tradeTime), windowMs);
    const entry = entriesIn([own]).find(
      (e) => e.tradeId === trade.tradeId && e.version === trade.version && e.judgement !== undefined,
    );
    if (entry?.judgement !== undefined) recorded.set(tradeKey(trade), outcomeOf(trade, entry.judgement));
  }

  const pending = trades.filter((t) => !recorded.has(tradeKey(t)));
  const lowest = new Map<string, TradeSubmitted>();
  for (const t of pending) {
    const seen = lowest.get(t.tradeId);
    if (seen === undefined || t.version < seen.version) lowest.set(t.tradeId, t);
  }
  const contributions = new Map<string, Contribution>();
  for (const trade of lowest.values()) {
    if (trade.version === 1) continue;
    // The newest recorded version below this one, wherever it was found (usually `previous`'s bucket).
    let newest: BucketEntry | undefined;
    for (const e of entriesIn(fingerprintBucketKeysToRead(trade, windowMs))) {
      if (e.tradeId !== trade.tradeId || e.version >= trade.version || e.judgement === undefined) continue;
      if (newest === undefined || e.version > newest.version) newest = e;
    }
    if (newest?.judgement !== undefined) {
      // A released (cancelled) version counts nothing any more. Trades never amends a cancelled trade; this
      // keeps a stray later version from releasing the amount a second time.
      const released = newest.judgement.releasedAt !== undefined;
      contributions.set(trade.tradeId, {
        version: newest.version,
        dayKey: released ? undefined : newest.judgement.dayKey,
        amount: released ? 0 : newest.judgement.counted,
      });
    }
  }

  const earlierTrades = new Map<string, EarlierTrade>();
  for (const trade of pending) {
    const at = Date.parse(trade.tradeTime);
    const [first] = entriesIn(fingerprintBucketKeysAround(duplicateFingerprint(trade), at, windowMs))
      .filter((c) => c.tradeId !== trade.tradeId && Math.abs(c.tradeTimeMs - at) <= windowMs)
      .sort((a, b) => a.tradeTimeMs - b.tradeTimeMs || a.tradeId.localeCompare(b.tradeId));
    if (first !== undefined) {
      earlierTrades.set(tradeKey(trade), {
        tradeId: first.tradeId,
        version: first.version,
        tradeTimeMs: first.tradeTimeMs,
      });
    }
  }
  return { recorded, contributions, earlierTrades };
}
