import { rateLimit, rateLimitHeaders, rateLimitPolicy } from '../../src/access/rate-limit-headers';

describe('RateLimit header fields', () => {
  const plan = { ratePerSecond: 10, burst: 25, dailyQuota: 5000 };

  it('when a plan is described, then RateLimit-Policy lists the bucket and the daily quota as SF items', () => {
    // 25 tokens at 10/s refill in 2.5 s: the window is whole seconds, rounded up.
    expect(rateLimitPolicy(plan)).toBe('"burst";q=25;w=3, "daily";q=5000;w=86400');
  });

  it('when the state is described, then RateLimit gives what is left and for how long', () => {
    expect(
      rateLimit({ burstRemaining: 3, burstResetSeconds: 1, dailyRemaining: 4990, dailyResetSeconds: 3600 }),
    ).toBe('"burst";r=3;t=1, "daily";r=4990;t=3600');
  });

  it('when the bucket is full, then its item has no window (nothing to wait for)', () => {
    expect(
      rateLimit({ burstRemaining: 25, burstResetSeconds: 0, dailyRemaining: 1, dailyResetSeconds: 9 }),
    ).toBe('"burst";r=25, "daily";r=1;t=9');
  });

  it('when both are built, then they are the two response header fields', () => {
    expect(
      Object.keys(
        rateLimitHeaders(plan, {
          burstRemaining: 0,
          burstResetSeconds: 1,
          dailyRemaining: 0,
          dailyResetSeconds: 1,
        }),
      ),
    ).toEqual(['RateLimit-Policy', 'RateLimit']);
  });
});
