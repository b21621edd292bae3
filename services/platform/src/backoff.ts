/** Exponential backoff with full jitter, shared by bus retries, store retries and upstream retries. */

export interface BackoffOptions {
  /** Delay before the first retry, in ms. */
  baseMs: number;
  /** Upper bound of any single delay, in ms. */
  maxMs: number;
  /** 0 = no jitter, 1 = full jitter (uniform in [0, delay]). */
  jitter?: number;
}

/** Delay before retry number `attempt` (1 = first retry). */
export function backoffDelay(attempt: number, { baseMs, maxMs, jitter = 1 }: BackoffOptions): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp - exp * jitter * Math.random());
}

/** Resolves after `ms`; rejects early with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
