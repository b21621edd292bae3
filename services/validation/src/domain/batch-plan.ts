/**
 * The stateful part of validation as a pure computation: given the trades of a batch (in partition order)
 * and what the store holds (daily totals, earlier versions' contributions, earlier identical trades), it
 * judges each trade in turn, carrying the running totals and the batch's own trades forward, and says what
 * must be written. The processor reads the state, calls this, and writes the result atomically.
 */
import type { RuleFailure, TradeOutcome, TradeSubmitted } from '@tradeflow/contracts';
import type { ReferenceData, ValidationSettings } from './context';
import { notionalInAccountCurrency, roundAmount } from './notional';
import {
  dailyTotalKey,
  duplicateFingerprint,
  fingerprintBucketKey,
  tradeDayOf,
  tradeKey,
} from './trade-facts';
import { validateTrade } from './validate-trade';

/** An account's running notional on one trading day, as stored; `rev` counts its writes (0: never written). */
export interface DailyTotal {
  readonly key: string;
  readonly total: number;
  readonly rev: number;
}

/** What a trade currently counts towards a daily total: the amount of its latest judged version. */
export interface Contribution {
  readonly version: number;
  /** The daily-total key the amount was added to; undefined when the version counted nothing. */
  readonly dayKey: string | undefined;
  /** In the account's currency; 0 when the version was rejected. */
  readonly amount: number;
}

/** An earlier trade with the same duplicate fingerprint. */
export interface EarlierTrade {
  readonly tradeId: string;
  readonly version: number;
  readonly tradeTimeMs: number;
}

/** What was decided for one trade version: its outcome (less what the trade itself says) and what it counted. */
export interface Judgement {
  readonly status: TradeOutcome['status'];
  readonly failures: readonly RuleFailure[];
  readonly validatedAt: string;
  /** In the account's currency; 0 when rejected. */
  readonly counted: number;
  /** The daily-total key `counted` was added to; undefined when it counted nothing. */
  readonly dayKey: string | undefined;
  /**
   * When a cancellation of this version released `counted` from its day's total; set at most once (in the
   * same transaction as the total), so the amount is released once and never released again.
   */
  readonly releasedAt?: string;
}

/**
 * One trade version in its fingerprint bucket: the record of its judgement. An entry without a judgement
 * (written before buckets held them) still serves the duplicate search.
 */
export interface BucketEntry extends EarlierTrade {
  readonly judgement?: Judgement;
}

/** A fingerprint bucket as stored: its entries and the revision every write to it is conditional on. */
export interface FingerprintBucket {
  readonly key: string;
  /** Counts its writes; 0: never written (or written before buckets had revisions). */
  readonly rev: number;
  readonly entries: readonly BucketEntry[];
}

/** The stored state a batch is judged against, read just before planning. */
export interface BatchState {
  /** Daily totals by key; a key missing here has total 0 and rev 0. */
  readonly totals: ReadonlyMap<string, DailyTotal>;
  /** By trade id: what an earlier version of the trade counts (only for trades with version > 1). */
  readonly contributions: ReadonlyMap<string, Contribution>;
  /** By `tradeKey`: the earliest stored trade with the same fingerprint within the window, another trade id. */
  readonly earlierTrades: ReadonlyMap<string, EarlierTrade>;
}

/** A change to one daily total. */
export interface TotalDelta {
  readonly key: string;
  readonly amount: number;
}

/** One trade's judgement and what it changes. */
export interface PlannedTrade {
  readonly trade: TradeSubmitted;
  readonly outcome: TradeOutcome;
  readonly fingerprint: string;
  /** The fingerprint bucket this trade is added to (see `fingerprintBucketKey`). */
  readonly fingerprintKey: string;
  /** The daily-total key its day limit was checked against. */
  readonly dayKey: string;
  /** What this version counts towards `dayKey`: its notional in the account's currency when validated, else 0. */
  readonly counted: number;
  /** Releases the previous version's amount and adds this one's, in that order. */
  readonly deltas: readonly TotalDelta[];
}

export interface PlanOptions {
  readonly now: Date;
  readonly settings: ValidationSettings;
  /** The reference data of a trade, looked up once per trade. */
  readonly referenceOf: (trade: TradeSubmitted) => ReferenceData;
}

/**
 * Judges `trades` in order. Only VALIDATED trades count towards the daily total; a new version of a trade
 * replaces what its previous version counted, so a trade counts once whatever its amendments.
 */
export function planBatch(
  trades: readonly TradeSubmitted[],
  state: BatchState,
  { now, settings, referenceOf }: PlanOptions,
): PlannedTrade[] {
  const running = new Map<string, number>();
  const totalOf = (key: string) => running.get(key) ?? state.totals.get(key)?.total ?? 0;
  const contributions = new Map<string, Contribution>(state.contributions);
  const seen = new Map<string, EarlierTrade[]>();
  const planned: PlannedTrade[] = [];

  for (const trade of trades) {
    const reference = referenceOf(trade);
    const dayKey = dailyTotalKey(trade.accountId, tradeDayOf(trade, reference.market));
    const previous = contributions.get(trade.tradeId);
    const released = previous !== undefined && previous.version < trade.version ? previous : undefined;
    const before = roundAmount(totalOf(dayKey) - (released?.dayKey === dayKey ? released.amount : 0));
    const fingerprint = duplicateFingerprint(trade);
    const tradeTimeMs = Date.parse(trade.tradeTime);
    const duplicate = earliest([
      state.earlierTrades.get(tradeKey(trade)),
      ...(seen.get(fingerprint) ?? []).filter(
        (other) =>
          other.tradeId !== trade.tradeId &&
          Math.abs(other.tradeTimeMs - tradeTimeMs) <= settings.duplicateWindowMs,
      ),
    ]);

    const outcome = validateTrade({
      trade,
      reference,
      now,
      settings,
      dailyNotionalBefore: before,
      probableDuplicateOf: duplicate?.tradeId,
    });

    const inAccount =
      outcome.status === 'VALIDATED' && reference.account !== undefined
        ? notionalInAccountCurrency(trade, reference.account, reference.fxRates)
        : undefined;
    const counted = inAccount?.ok === true ? inAccount.value : 0;
    const deltas: TotalDelta[] = [];
    if (released?.dayKey !== undefined && released.amount !== 0) {
      deltas.push({ key: released.dayKey, amount: -released.amount });
    }
    if (counted !== 0) deltas.push({ key: dayKey, amount: counted });
    for (const delta of deltas) running.set(delta.key, roundAmount(totalOf(delta.key) + delta.amount));

    contributions.set(trade.tradeId, {
      version: trade.version,
      dayKey: counted === 0 ? undefined : dayKey,
      amount: counted,
    });
    seen.set(fingerprint, [
      ...(seen.get(fingerprint) ?? []),
      { tradeId: trade.tradeId, version: trade.version, tradeTimeMs },
    ]);
    const fingerprintKey = fingerprintBucketKey(fingerprint, tradeTimeMs, settings.duplicateWindowMs);
    planned.push({ trade, outcome, fingerprint, fingerprintKey, dayKey, counted, deltas });
  }
  return planned;
}

/** The earliest trade by trade time (then id), so the duplicate named does not depend on read order. */
function earliest(candidates: readonly (EarlierTrade | undefined)[]): EarlierTrade | undefined {
  let best: EarlierTrade | undefined;
  for (const c of candidates) {
    if (c === undefined) continue;
    if (
      best === undefined ||
      c.tradeTimeMs < best.tradeTimeMs ||
      (c.tradeTimeMs === best.tradeTimeMs && c.tradeId < best.tradeId)
    ) {
      best = c;
    }
  }
  return best;
}

/** A daily total as one transaction writes it: the new value, conditional on the revision it was computed from. */
export interface TotalWrite {
  readonly key: string;
  readonly total: number;
  /** The revision read (0: the item must not exist yet); the write sets `expectedRev + 1`. */
  readonly expectedRev: number;
}

/** Trade versions appended to one fingerprint bucket, conditional on the revision they were judged against. */
export interface FingerprintWrite {
  readonly key: string;
  /** The account of every trade in the bucket (it is part of the fingerprint). */
  readonly accountId: string;
  readonly entries: readonly BucketEntry[];
  /** The revision read (0: no revision yet); the write sets `expectedRev + 1`. */
  readonly expectedRev: number;
}

/** The trades one transaction records: the fingerprint buckets that record them and the daily totals they change. */
export interface WriteChunk {
  readonly trades: readonly PlannedTrade[];
  readonly fingerprints: readonly FingerprintWrite[];
  readonly totals: readonly TotalWrite[];
}

/** The smallest transaction that fits any trade: its fingerprint bucket and two daily totals. */
const MIN_ITEMS = 3;

/**
 * Entries a fingerprint bucket records at most. A bucket holds identical trades within one window, so once it
 * is this full every further trade in it is a probable duplicate that counts nothing, and judging it again
 * (after a redelivery) gives the same answer: its record is left out rather than growing the item towards
 * DynamoDB's 400 KB (a bulk upload of thousands of identical lines would otherwise fail every append). An
 * entry is at most ~300 bytes, so a full bucket stays under ~150 KB.
 */
export const MAX_BUCKET_ENTRIES = 500;

/** The revisions the plan was computed from: daily totals and fingerprint buckets as read (absent: rev 0). */
export interface ReadRevisions {
  readonly totals: ReadonlyMap<string, DailyTotal>;
  /** Buckets as read; `entries` (when given) tells how full each already is. */
  readonly buckets: ReadonlyMap<
    string,
    Pick<FingerprintBucket, 'rev'> & { readonly entries?: readonly unknown[] }
  >;
}

/** The bucket entry that records a planned trade's judgement. */
function entryOf({ trade, outcome, counted, dayKey }: PlannedTrade): BucketEntry {
  return {
    tradeId: trade.tradeId,
    version: trade.version,
    tradeTimeMs: Date.parse(trade.tradeTime),
    judgement: {
      status: outcome.status,
      failures: outcome.failures,
      validatedAt: outcome.validatedAt,
      counted,
      dayKey: counted === 0 ? undefined : dayKey,
    },
  };
}

/**
 * Splits a plan into transactions of at most `maxItems` items (DynamoDB allows 100), keeping trade order:
 * one item per fingerprint bucket (recording its trades) and per daily total touched. An item appears at most
 * once per transaction (DynamoDB forbids two operations on one item), conditional on the revision before the
 * transaction's trades (a daily total with its value after them); the next transaction expects the revision
 * the previous one wrote.
 */
export function chunkWrites(
  planned: readonly PlannedTrade[],
  revisions: ReadRevisions,
  maxItems: number,
): WriteChunk[] {
  if (maxItems < MIN_ITEMS) throw new RangeError(`maxItems must be at least ${MIN_ITEMS}`);
  const { totals } = revisions;
  const current = new Map<string, { total: number; rev: number }>();
  const stateOf = (key: string) =>
    current.get(key) ?? { total: totals.get(key)?.total ?? 0, rev: totals.get(key)?.rev ?? 0 };
  const bucketRevs = new Map<string, number>();
  const bucketRevOf = (key: string) => bucketRevs.get(key) ?? revisions.buckets.get(key)?.rev ?? 0;
  const bucketSizes = new Map<string, number>();
  const bucketSizeOf = (key: string) =>
    bucketSizes.get(key) ?? revisions.buckets.get(key)?.entries?.length ?? 0;
  const chunks: WriteChunk[] = [];
  let trades: PlannedTrade[] = [];
  let fingerprintKeys = new Set<string>();
  let totalKeys = new Set<string>();

  const close = () => {
    if (trades.length === 0) return;
    const writes: TotalWrite[] = [];
    for (const key of totalKeys) {
      const before = stateOf(key);
      let total = before.total;
      for (const trade of trades) {
        for (const d of trade.deltas) if (d.key === key) total = roundAmount(total + d.amount);
      }
      writes.push({ key, total, expectedRev: before.rev });
      current.set(key, { total, rev: before.rev + 1 });
    }
    const fingerprints: FingerprintWrite[] = [];
    for (const key of fingerprintKeys) {
      const inBucket = trades.filter((t) => t.fingerprintKey === key);
      let size = bucketSizeOf(key);
      // Past MAX_BUCKET_ENTRIES only what counted is recorded (see there).
      const recorded = inBucket.filter((t) => {
        if (t.counted === 0 && size >= MAX_BUCKET_ENTRIES) return false;
        size += 1;
        return true;
      });
      if (recorded.length === 0) continue;
      const expectedRev = bucketRevOf(key);
      bucketRevs.set(key, expectedRev + 1);
      bucketSizes.set(key, size);
      fingerprints.push({
        key,
        accountId: (inBucket[0] as PlannedTrade).trade.accountId,
        entries: recorded.map(entryOf),
        expectedRev,
      });
    }
    chunks.push({ trades, fingerprints, totals: writes });
    trades = [];
    fingerprintKeys = new Set();
    totalKeys = new Set();
  };

  for (const trade of planned) {
    const tradeTotals = trade.deltas.map((d) => d.key);
    const withFingerprint = new Set([...fingerprintKeys, trade.fingerprintKey]);
    const withTotals = new Set([...totalKeys, ...tradeTotals]);
    if (trades.length > 0 && withFingerprint.size + withTotals.size > maxItems) {
      close();
      fingerprintKeys = new Set([trade.fingerprintKey]);
      totalKeys = new Set(tradeTotals);
    } else {
      fingerprintKeys = withFingerprint;
      totalKeys = withTotals;
    }
    trades.push(trade);
  }
  close();
  return chunks;
}
