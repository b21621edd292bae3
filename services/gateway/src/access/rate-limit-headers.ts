/**
 * The RateLimit header fields of draft-ietf-httpapi-ratelimit-headers (-11): Structured Field Lists of
 * policy items, the policy name a String with parameters.
 *
 *   RateLimit-Policy: "burst";q=<burst>;w=<seconds to refill the bucket>, "daily";q=<quota>;w=86400
 *   RateLimit: "burst";r=<whole tokens left>;t=<seconds to the next token>, "daily";r=<left today>;t=<seconds to UTC midnight>
 *
 * For the bucket, `t` is the time within which no more than `r` requests can be made (a token arrives at its
 * end); a full bucket has no such window, so `t` is left out. On a 429, Retry-After is never earlier than the
 * exhausted policy's `t`, as the draft asks.
 */
import type { PlanLimits } from './model';

/** The policy names in the headers. */
export const RatePolicy = { burst: 'burst', daily: 'daily' } as const;

const DAY_SECONDS = 86_400;

/** The state of both policies after a request was charged (or refused). */
export interface LimitState {
  burstRemaining: number;
  /** Seconds to the next token; 0 when the bucket is full. */
  burstResetSeconds: number;
  dailyRemaining: number;
  dailyResetSeconds: number;
}

/** Policies already formatted, per plan object (plans are replaced, never changed in place). */
const policies = new WeakMap<PlanLimits, string>();

/** `RateLimit-Policy`: the plan's two policies; the same on every response of the plan. */
export function rateLimitPolicy(plan: PlanLimits): string {
  let policy = policies.get(plan);
  if (policy === undefined) {
    policy = formatPolicy(plan);
    policies.set(plan, policy);
  }
  return policy;
}

function formatPolicy(plan: PlanLimits): string {
  const refillSeconds = Math.max(1, Math.ceil(plan.burst / plan.ratePerSecond));
  return `"${RatePolicy.burst}";q=${plan.burst};w=${refillSeconds}, "${RatePolicy.daily}";q=${plan.dailyQuota};w=${DAY_SECONDS}`;
}

/** `RateLimit`: what is left under each policy and for how long. */
export function rateLimit(state: LimitState): string {
  const burstWindow = state.burstResetSeconds > 0 ? `;t=${state.burstResetSeconds}` : '';
  return (
    `"${RatePolicy.burst}";r=${Math.max(0, state.burstRemaining)}${burstWindow}, ` +
    `"${RatePolicy.daily}";r=${Math.max(0, state.dailyRemaining)};t=${state.dailyResetSeconds}`
  );
}

/** Both header fields for a response. */
export function rateLimitHeaders(plan: PlanLimits, state: LimitState): Record<string, string> {
  return { 'RateLimit-Policy': rateLimitPolicy(plan), RateLimit: rateLimit(state) };
}
