/**
 * `admit`: one request charged to the caller's plan — its token bucket (this replica) and its daily quota
 * (shared through DynamoDB) — with the RateLimit headers of the result, or a PlanLimitError (429).
 */
import { PlanLimitError, type Admission } from './access-control';
import { DailyQuota, secondsUntilUtcMidnight } from './daily-quota';
import type { PlanLimits } from './model';
import { rateLimitHeaders } from './rate-limit-headers';
import { TokenBuckets } from './token-bucket';

/** Problem codes of the 429s. */
export const PlanLimitCode = { rate: 'RATE.LIMITED', quota: 'QUOTA.EXCEEDED' } as const;

/** Charges requests to plans. */
export class UsageLimiter {
  readonly buckets = new TokenBuckets();

  constructor(
    readonly quota: DailyQuota,
    private readonly clock: () => number,
  ) {}

  /** Charges one request of `consumerId` under `plan` (named `planName`), or throws PlanLimitError. */
  admit(consumerId: string, planName: string, plan: PlanLimits): Admission {
    const nowMs = this.clock();
    const daily = this.quota.peek(consumerId, plan.dailyQuota, nowMs);
    if (daily.remaining <= 0) {
      const burst = this.buckets.peek(consumerId, plan, nowMs);
      const retryAfter = secondsUntilUtcMidnight(nowMs);
      const headers = rateLimitHeaders(plan, {
        burstRemaining: burst.remaining,
        burstResetSeconds: burst.nextTokenSeconds,
        dailyRemaining: 0,
        dailyResetSeconds: retryAfter,
      });
      throw new PlanLimitError(
        retryAfter,
        `The daily quota of plan ${planName} (${plan.dailyQuota} requests per UTC day) is used up; it resets at 00:00 UTC, in ${retryAfter} s.`,
        PlanLimitCode.quota,
        { ...headers, 'Retry-After': String(retryAfter) },
      );
    }
    const taken = this.buckets.take(consumerId, plan, nowMs);
    if (!taken.admitted) {
      const headers = rateLimitHeaders(plan, {
        burstRemaining: 0,
        burstResetSeconds: taken.retryAfterSeconds,
        dailyRemaining: daily.remaining,
        dailyResetSeconds: daily.resetSeconds,
      });
      throw new PlanLimitError(
        taken.retryAfterSeconds,
        `Too many requests for plan ${planName}: ${plan.ratePerSecond} per second with bursts of ${plan.burst}; retry in ${taken.retryAfterSeconds} s.`,
        PlanLimitCode.rate,
        { ...headers, 'Retry-After': String(taken.retryAfterSeconds) },
      );
    }
    this.quota.record(consumerId);
    return {
      headers: rateLimitHeaders(plan, {
        burstRemaining: taken.remaining,
        burstResetSeconds: taken.nextTokenSeconds,
        dailyRemaining: daily.remaining - 1,
        dailyResetSeconds: daily.resetSeconds,
      }),
    };
  }
}
