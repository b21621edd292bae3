import { RetryBudget } from '../src/proxy/retry-budget';

describe('RetryBudget', () => {
  let now = 0;
  const budget = (ratio: number, minPerSecond: number): RetryBudget =>
    new RetryBudget({ ratio, minPerSecond, windowMs: 10_000, now: () => now });

  beforeEach(() => {
    now = 1_000_000;
  });

  it('when there is no traffic, then only the floor (min per second × window) may be retried', () => {
    const b = budget(0.2, 1);
    const granted = Array.from({ length: 15 }, () => b.tryRetry()).filter(Boolean).length;
    expect(granted).toBe(10);
  });

  it('when requests flow, then retries may add the ratio of them on top of the floor', () => {
    const b = budget(0.2, 0);
    for (let i = 0; i < 100; i++) b.recordRequest();
    const granted = Array.from({ length: 50 }, () => b.tryRetry()).filter(Boolean).length;
    expect(granted).toBe(20);
  });

  it('when the window slides past old requests and retries, then the budget is what the recent ones allow', () => {
    const b = budget(0.5, 0);
    for (let i = 0; i < 10; i++) b.recordRequest();
    expect(Array.from({ length: 10 }, () => b.tryRetry()).filter(Boolean)).toHaveLength(5);
    now += 5_000;
    for (let i = 0; i < 4; i++) b.recordRequest();
    // 14 requests and 5 retries in the window: 7 allowed, 2 more.
    expect(Array.from({ length: 5 }, () => b.tryRetry()).filter(Boolean)).toHaveLength(2);
    now += 6_000;
    // The first 10 requests and 5 retries are out of the window: 4 requests, 2 retries, 2 allowed: none more.
    expect(b.tryRetry()).toBe(false);
    now += 20_000;
    expect(b.tryRetry()).toBe(false);
    b.recordRequest();
    b.recordRequest();
    expect(b.tryRetry()).toBe(true);
  });
});
