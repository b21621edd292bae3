import {
  DailyQuota,
  secondsUntilUtcMidnight,
  usageExpiry,
  utcDay,
  type UsageStore,
} from '../../src/access/daily-quota';

/** The shared counts of every replica, as the usage table keeps them. */
class SharedCounts implements UsageStore {
  readonly counts = new Map<string, number>();
  adds = 0;
  failing = false;

  addUsage(consumerId: string, day: string, count: number): Promise<number> {
    if (this.failing) return Promise.reject(new Error('store down'));
    this.adds += 1;
    const key = `${consumerId}/${day}`;
    const total = (this.counts.get(key) ?? 0) + count;
    this.counts.set(key, total);
    return Promise.resolve(total);
  }

  getUsage(consumerId: string, day: string): Promise<number> {
    return Promise.resolve(this.counts.get(`${consumerId}/${day}`) ?? 0);
  }
}

const NOON = Date.UTC(2031, 0, 15, 12, 0, 0);

/** Admits as many requests as `quota` lets one replica, charging each. */
function admitAll(quota: DailyQuota, consumer: string, limit: number, nowMs: number, tries: number): number {
  let admitted = 0;
  for (let i = 0; i < tries; i++) {
    if (quota.peek(consumer, limit, nowMs).remaining > 0) {
      quota.record(consumer);
      admitted++;
    }
  }
  return admitted;
}

describe('daily quota arithmetic', () => {
  it('when asked for the UTC day, then the date is UTC whatever the local zone', () => {
    expect(utcDay(Date.UTC(2031, 0, 15, 23, 59, 59, 999))).toBe('2031-01-15');
    expect(utcDay(Date.UTC(2031, 0, 16, 0, 0, 0))).toBe('2031-01-16');
  });

  it('when asked for the reset, then it is the whole seconds to the next UTC midnight, at least 1', () => {
    expect(secondsUntilUtcMidnight(NOON)).toBe(43_200);
    expect(secondsUntilUtcMidnight(Date.UTC(2031, 0, 15, 23, 59, 59, 500))).toBe(1);
    expect(secondsUntilUtcMidnight(Date.UTC(2031, 0, 16, 0, 0, 0))).toBe(86_400);
  });

  it("when a day's counter is written, then TTL may remove it two days after the day ends", () => {
    expect(usageExpiry('2031-01-15')).toBe(Date.UTC(2031, 0, 18) / 1000);
  });
});

describe('DailyQuota', () => {
  it('when one replica counts, then it admits exactly the quota and flushes the count in one ADD', async () => {
    const shared = new SharedCounts();
    const quota = new DailyQuota(shared);
    expect(admitAll(quota, 'c', 5, NOON, 8)).toBe(5);
    expect(quota.peek('c', 5, NOON)).toEqual({ remaining: 0, resetSeconds: 43_200 });
    await quota.flush(NOON);
    expect(shared.counts.get('c/2031-01-15')).toBe(5);
    expect(shared.adds).toBe(1);
    expect(quota.pending('c')).toBe(0);
  });

  it('when several replicas count, then the overshoot is at most what the others admitted since their last flush', async () => {
    const shared = new SharedCounts();
    const replicas = [new DailyQuota(shared), new DailyQuota(shared), new DailyQuota(shared)];
    const limit = 100;
    const perInterval = 7; // what each replica admits for the consumer between two flushes
    let admitted = 0;
    for (let interval = 0; interval < 40; interval++) {
      for (const replica of replicas) admitted += admitAll(replica, 'c', limit, NOON, perInterval);
      await Promise.all(replicas.map((r) => r.flush(NOON)));
    }
    expect(admitted).toBeGreaterThanOrEqual(limit);
    expect(admitted).toBeLessThanOrEqual(limit + (replicas.length - 1) * perInterval);
    // And once everyone has flushed, every replica refuses.
    for (const replica of replicas) expect(replica.peek('c', limit, NOON).remaining).toBe(0);
  });

  it('when a replica first sees a consumer today, then it starts from the shared count, not from zero', async () => {
    const shared = new SharedCounts();
    await shared.addUsage('c', '2031-01-15', 9);
    const quota = new DailyQuota(shared);
    quota.peek('c', 10, NOON);
    await Promise.resolve(); // the background read
    await Promise.resolve();
    expect(quota.peek('c', 10, NOON).remaining).toBe(1);
  });

  it('when a flush fails, then its count is kept and added by the next flush', async () => {
    const shared = new SharedCounts();
    const errors: unknown[] = [];
    const quota = new DailyQuota(shared, (err) => errors.push(err));
    admitAll(quota, 'c', 10, NOON, 3);
    shared.failing = true;
    await quota.flush(NOON);
    expect(errors).toHaveLength(1);
    expect(quota.pending('c')).toBe(3);
    shared.failing = false;
    await quota.flush(NOON);
    expect(shared.counts.get('c/2031-01-15')).toBe(3);
  });

  it('when the UTC day changes, then the quota starts again', () => {
    const quota = new DailyQuota(new SharedCounts());
    admitAll(quota, 'c', 2, NOON, 2);
    expect(quota.peek('c', 2, NOON).remaining).toBe(0);
    expect(quota.peek('c', 2, NOON + 12 * 3_600_000)).toEqual({ remaining: 2, resetSeconds: 86_400 });
  });
});
