import { secondsUntilNextToken, TokenBuckets } from '../../src/access/token-bucket';

const plan = { ratePerSecond: 2, burst: 3 };
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

describe('TokenBuckets', () => {
  it('when a new consumer calls, then its bucket starts full and admits a burst', () => {
    const buckets = new TokenBuckets();
    const results = [1, 2, 3].map(() => buckets.take('c', plan, T0));
    expect(results.map((r) => r.admitted)).toEqual([true, true, true]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0]);
  });

  it('when the burst is spent, then the next request is refused until a token arrives', () => {
    const buckets = new TokenBuckets();
    for (let i = 0; i < 3; i++) buckets.take('c', plan, T0);
    expect(buckets.take('c', plan, T0)).toEqual({ admitted: false, remaining: 0, retryAfterSeconds: 1 });
    expect(buckets.take('c', plan, T0 + 499).admitted).toBe(false);
    expect(buckets.take('c', plan, T0 + 500).admitted).toBe(true);
  });

  it('when time passes, then tokens come back at the rate and never beyond the burst', () => {
    const buckets = new TokenBuckets();
    for (let i = 0; i < 3; i++) buckets.take('c', plan, T0);
    expect(buckets.peek('c', plan, T0 + 1000).remaining).toBe(2);
    expect(buckets.peek('c', plan, T0 + 60_000).remaining).toBe(3);
  });

  it('when the rate is below one per second, then Retry-After covers the whole wait', () => {
    const slow = { ratePerSecond: 0.25, burst: 1 };
    const buckets = new TokenBuckets();
    buckets.take('c', slow, T0);
    const refused = buckets.take('c', slow, T0 + 1000);
    expect(refused).toEqual({ admitted: false, remaining: 0, retryAfterSeconds: 3 });
  });

  it('when consumers share a replica, then each has its own bucket', () => {
    const buckets = new TokenBuckets();
    for (let i = 0; i < 3; i++) buckets.take('a', plan, T0);
    expect(buckets.take('a', plan, T0).admitted).toBe(false);
    expect(buckets.take('b', plan, T0).admitted).toBe(true);
  });

  it('when the clock goes backwards, then no tokens are created', () => {
    const buckets = new TokenBuckets();
    for (let i = 0; i < 3; i++) buckets.take('c', plan, T0);
    expect(buckets.take('c', plan, T0 - 10_000).admitted).toBe(false);
  });

  it('when the plan shrinks, then saved tokens are capped at the new burst', () => {
    const buckets = new TokenBuckets();
    buckets.take('c', { ratePerSecond: 1, burst: 100 }, T0);
    expect(buckets.peek('c', { ratePerSecond: 1, burst: 2 }, T0).remaining).toBe(2);
  });

  it('when swept, then full buckets are dropped and partly used ones kept', () => {
    const buckets = new TokenBuckets();
    buckets.take('idle', plan, T0);
    buckets.take('busy', plan, T0 + 1000);
    buckets.sweep(T0 + 1000);
    expect(buckets.size).toBe(1);
    expect(buckets.peek('busy', plan, T0 + 1000).remaining).toBe(2);
  });

  it('when asked for the next token, then a full bucket has none pending and a fraction rounds up', () => {
    expect(secondsUntilNextToken(3, plan)).toBe(0);
    expect(secondsUntilNextToken(0, { ratePerSecond: 0.1, burst: 5 })).toBe(10);
    expect(secondsUntilNextToken(0.95, { ratePerSecond: 0.1, burst: 5 })).toBe(1);
  });
});
