/**
 * A retry budget in the style of Finagle and Envoy: over a sliding window, retries may add at most `ratio` of
 * the requests plus a small floor (`minPerSecond` × the window). When an upstream struggles, retries then stay
 * a bounded extra load instead of multiplying it (three attempts per request would triple the load on an
 * upstream that is already failing).
 */

/** How much retrying one upstream may do. */
export interface RetryBudgetOptions {
  /** Share of the window's requests that may be retried (0.2: one retry per five requests). */
  ratio: number;
  /** Retries allowed per second whatever the traffic, so a quiet upstream can still be retried. */
  minPerSecond: number;
  /** Length of the sliding window, in ms. */
  windowMs: number;
  /** The clock, in ms; tests pass their own. */
  now?: () => number;
}

const BUCKETS = 10;

/** Counts requests and retries per slice of the window and says whether one more retry fits. */
export class RetryBudget {
  private readonly requests = new Array<number>(BUCKETS).fill(0);
  private readonly retries = new Array<number>(BUCKETS).fill(0);
  private readonly bucketMs: number;
  private readonly floor: number;
  private readonly now: () => number;
  /** Index of the slice the current time falls in, counted from the epoch. */
  private current = 0;

  constructor(private readonly options: RetryBudgetOptions) {
    this.bucketMs = Math.max(1, options.windowMs / BUCKETS);
    this.floor = (options.minPerSecond * options.windowMs) / 1000;
    this.now = options.now ?? Date.now;
    this.current = Math.floor(this.now() / this.bucketMs);
  }

  /** Records a request (a first attempt). */
  recordRequest(): void {
    this.requests[this.advance()]! += 1;
  }

  /** Takes one retry from the budget; false (and nothing taken) when the budget is spent. */
  tryRetry(): boolean {
    const slot = this.advance();
    const requests = sum(this.requests);
    const retries = sum(this.retries);
    if (retries + 1 > this.floor + this.options.ratio * requests) return false;
    this.retries[slot]! += 1;
    return true;
  }

  /** Zeroes the slices that fell out of the window and returns the slot of now. */
  private advance(): number {
    const bucket = Math.floor(this.now() / this.bucketMs);
    const elapsed = Math.min(BUCKETS, bucket - this.current);
    for (let i = 1; i <= elapsed; i++) {
      const slot = (this.current + i) % BUCKETS;
      this.requests[slot] = 0;
      this.retries[slot] = 0;
    }
    if (elapsed > 0) this.current = bucket;
    return this.current % BUCKETS;
  }
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
