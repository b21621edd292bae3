/**
 * A token bucket per consumer, in this replica's memory. Hand-written on purpose: the limiter libraries at
 * hand count fixed windows (a burst of twice the limit fits across a window edge), and the RateLimit headers
 * need the bucket's own state (tokens left, time to the next token), which they do not expose.
 *
 * Per replica: with N gateway replicas behind a load balancer a consumer gets up to N times its rate and
 * burst in the worst case (documented in docs/gateway-access.md); the daily quota is the shared limit.
 */

/** A bucket's shape: `ratePerSecond` tokens are added per second, up to `burst`. */
export interface BucketLimits {
  ratePerSecond: number;
  burst: number;
}

/** What taking one token said. */
export type TakeResult =
  | { admitted: true; remaining: number; nextTokenSeconds: number }
  | { admitted: false; remaining: 0; retryAfterSeconds: number };

/** One bucket's state: its tokens at `updatedMs`. */
interface BucketState {
  tokens: number;
  updatedMs: number;
  /** The limits of the last take, for `sweep`. */
  limits: BucketLimits;
}

/** Token buckets keyed by consumer, refilled lazily on each take. */
export class TokenBuckets {
  private readonly buckets = new Map<string, BucketState>();

  /** Buckets held (full ones are dropped by `sweep`). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token from `key`'s bucket at `nowMs`, or says how long until one is there. */
  take(key: string, limits: BucketLimits, nowMs: number): TakeResult {
    const bucket = this.refilled(key, limits, nowMs);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return {
        admitted: true,
        remaining: Math.floor(bucket.tokens),
        nextTokenSeconds: secondsUntilNextToken(bucket.tokens, limits),
      };
    }
    return { admitted: false, remaining: 0, retryAfterSeconds: secondsUntilNextToken(bucket.tokens, limits) };
  }

  /** The bucket's state at `nowMs` without taking anything. */
  peek(key: string, limits: BucketLimits, nowMs: number): { remaining: number; nextTokenSeconds: number } {
    const bucket = this.refilled(key, limits, nowMs);
    return {
      remaining: Math.floor(bucket.tokens),
      nextTokenSeconds: secondsUntilNextToken(bucket.tokens, limits),
    };
  }

  /** Drops the buckets that are full at `nowMs`: a missing bucket starts full, so nothing changes. */
  sweep(nowMs: number): void {
    for (const [key, bucket] of [...this.buckets]) {
      if (this.refilled(key, bucket.limits, nowMs).tokens >= bucket.limits.burst) this.buckets.delete(key);
    }
  }

  private refilled(key: string, limits: BucketLimits, nowMs: number): BucketState {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: limits.burst, updatedMs: nowMs, limits };
      this.buckets.set(key, bucket);
      return bucket;
    }
    // A clock that goes backwards adds nothing; a lowered burst caps what was saved up.
    const elapsedSeconds = Math.max(0, nowMs - bucket.updatedMs) / 1000;
    bucket.tokens = Math.min(limits.burst, bucket.tokens + elapsedSeconds * limits.ratePerSecond);
    bucket.updatedMs = Math.max(bucket.updatedMs, nowMs);
    bucket.limits = limits;
    return bucket;
  }
}

/**
 * Whole seconds until the bucket holds one more whole token than it does now (at least 1, since HTTP's
 * delay-seconds are integers): the time within which no more than the whole tokens now left can be used.
 */
export function secondsUntilNextToken(tokens: number, limits: BucketLimits): number {
  if (tokens >= limits.burst) return 0;
  const missing = Math.floor(tokens) + 1 - tokens;
  return Math.max(1, Math.ceil(missing / limits.ratePerSecond));
}
