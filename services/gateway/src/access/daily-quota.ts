/**
 * The daily quota: requests per consumer per UTC day, counted in this replica and added to the shared
 * count in DynamoDB in batches (one atomic ADD per consumer every flush interval). Each flush reads back
 * the shared total, so every replica converges on what all of them have admitted.
 *
 * Overshoot bound: a replica admits against `shared total it last read + what it counted since`. What other
 * replicas admitted since its last flush is invisible to it, so with N replicas a consumer can exceed its
 * quota by at most what the other N - 1 replicas admit for it in one flush interval plus one flush round
 * trip — bounded by their token buckets: (N - 1) × (burst + rate × (interval + round trip)). One replica
 * never overshoots. A failed flush keeps its counts and adds them at the next one.
 */

const DAY_MS = 86_400_000;

/** The last day formatted, since `admit` asks on every request and the answer changes once a day. */
let lastDay = { number: NaN, text: '' };

/** The UTC day of an instant, `YYYY-MM-DD`. */
export function utcDay(nowMs: number): string {
  const number = Math.floor(nowMs / DAY_MS);
  if (number !== lastDay.number)
    lastDay = { number, text: new Date(number * DAY_MS).toISOString().slice(0, 10) };
  return lastDay.text;
}

/** Whole seconds from `nowMs` to the next UTC midnight (at least 1). */
export function secondsUntilUtcMidnight(nowMs: number): number {
  const nextMidnight = (Math.floor(nowMs / DAY_MS) + 1) * DAY_MS;
  return Math.max(1, Math.ceil((nextMidnight - nowMs) / 1000));
}

/** When a day's counter may be deleted by TTL: two days after the day ends (epoch seconds). */
export function usageExpiry(day: string): number {
  return Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + 3 * 86_400;
}

/** Where the shared counts live (the usage table). */
export interface UsageStore {
  /** Adds `count` to the day's shared count; resolves to the new total. */
  addUsage(consumerId: string, day: string, count: number, expiresAt: number): Promise<number>;
  /** The day's shared count. */
  getUsage(consumerId: string, day: string): Promise<number>;
}

/** One consumer's count for one day, as this replica knows it. */
interface DayCount {
  day: string;
  /** The shared total at the last flush or read (every replica's flushed requests). */
  shared: number;
  /** Admitted here and not yet added to the shared total. */
  pending: number;
  /** A flush is running (the next one waits for it, so one amount is never added twice). */
  flushing: boolean;
}

/** What is left of a consumer's quota today, as far as this replica knows. */
export interface QuotaState {
  remaining: number;
  /** Seconds to the next UTC midnight, when the quota resets. */
  resetSeconds: number;
}

/** Daily counts per consumer for the current UTC day, flushed to the shared store. */
export class DailyQuota {
  private readonly counts = new Map<string, DayCount>();

  constructor(
    private readonly store: UsageStore,
    private readonly onError: (err: unknown, consumerId: string) => void = () => undefined,
  ) {}

  /** What is left of the consumer's `quota` today; the first sight of it today starts reading the shared count. */
  peek(consumerId: string, quota: number, nowMs: number): QuotaState {
    const day = utcDay(nowMs);
    let count = this.counts.get(consumerId);
    if (count === undefined || count.day !== day) {
      // Unflushed counts of an earlier day are dropped: that day's quota no longer limits anything.
      count = { day, shared: 0, pending: 0, flushing: false };
      this.counts.set(consumerId, count);
      void this.readShared(consumerId, count);
    }
    return {
      remaining: Math.max(0, quota - count.shared - count.pending),
      resetSeconds: secondsUntilUtcMidnight(nowMs),
    };
  }

  /** Counts one admitted request of the consumer (after `peek` said there was quota left). */
  record(consumerId: string): void {
    const count = this.counts.get(consumerId);
    if (count !== undefined) count.pending += 1;
  }

  /** Adds every pending count to the shared store and reads back the totals; safe to call concurrently. */
  async flush(nowMs: number): Promise<void> {
    const today = utcDay(nowMs);
    const work: Promise<void>[] = [];
    for (const [consumerId, count] of this.counts) {
      if (count.day !== today) {
        this.counts.delete(consumerId);
        continue;
      }
      if (count.pending > 0 && !count.flushing) work.push(this.flushOne(consumerId, count));
    }
    await Promise.all(work);
  }

  /** Counts pending in this replica (for tests and metrics). */
  pending(consumerId: string): number {
    return this.counts.get(consumerId)?.pending ?? 0;
  }

  private async flushOne(consumerId: string, count: DayCount): Promise<void> {
    const amount = count.pending;
    count.flushing = true;
    try {
      const total = await this.store.addUsage(consumerId, count.day, amount, usageExpiry(count.day));
      count.pending -= amount;
      count.shared = Math.max(count.shared, total);
    } catch (err) {
      this.onError(err, consumerId);
    } finally {
      count.flushing = false;
    }
  }

  /** The first sight of a consumer today: learn what other replicas counted, without holding up the request. */
  private async readShared(consumerId: string, count: DayCount): Promise<void> {
    // It may overlap a flush: both only raise `shared`, and a read that already includes an amount still
    // pending here errs on the side of refusing, for one flush at most.
    try {
      const shared = await this.store.getUsage(consumerId, count.day);
      count.shared = Math.max(count.shared, shared);
    } catch (err) {
      this.onError(err, consumerId);
    }
  }
}
