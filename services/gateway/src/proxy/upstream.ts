/**
 * One upstream service as the gateway sees it: a pool of keep-alive connections (undici), a circuit breaker
 * (opossum, through the platform) and a retry budget. Connection errors, timeouts and 502/503/504 answers count
 * against the breaker; an open breaker refuses at once, and after its reset timeout lets one probe through.
 */
import type { Logger } from '@tradeflow/platform/log';
import { createBreaker, isClientError, type Breaker } from '@tradeflow/platform/resilience';
import type { BreakerObserverRegistry } from '@tradeflow/platform/resilience';
import { Pool, type Dispatcher } from 'undici';
import { RetryBudget, type RetryBudgetOptions } from './retry-budget';

/** Answers that say the upstream is in trouble: they count against its breaker (and are passed on as sent). */
export const FAILURE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/** An upstream's answer with a failure status, thrown through the breaker so that it counts; it still reaches the client. */
export class UpstreamFailureResponse extends Error {
  constructor(readonly response: Dispatcher.ResponseData) {
    super(`The upstream answered ${response.statusCode}.`);
    this.name = 'UpstreamFailureResponse';
  }
}

/** How the gateway talks to its upstreams. */
export interface UpstreamSettings {
  pool: { connections: number; connectTimeoutMs: number; keepAliveTimeoutMs: number };
  breaker: {
    errorThresholdPercentage: number;
    volumeThreshold: number;
    resetTimeoutMs: number;
    windowMs: number;
  };
  budget: RetryBudgetOptions;
}

/** One request to an upstream: undici's options without the origin. */
export type UpstreamRequest = Dispatcher.RequestOptions;

/** How long `close` waits for requests in flight before it cuts their connections. */
const CLOSE_GRACE_MS = 5_000;

/** The name of an upstream's breaker: the `name` label of `circuit_breaker_state`. */
export function breakerName(upstream: string): string {
  return `gateway-upstream-${upstream}`;
}

/** An upstream: its pool, breaker and retry budget. */
export class Upstream {
  readonly budget: RetryBudget;
  private readonly pool: Pool;
  private readonly breaker: Breaker<[UpstreamRequest], Dispatcher.ResponseData>;

  constructor(
    readonly name: string,
    readonly origin: string,
    settings: UpstreamSettings,
    observers: BreakerObserverRegistry,
    private readonly logger: Logger,
  ) {
    this.pool = new Pool(origin, {
      connections: settings.pool.connections,
      keepAliveTimeout: settings.pool.keepAliveTimeoutMs,
      connect: { timeout: settings.pool.connectTimeoutMs },
    });
    this.budget = new RetryBudget(settings.budget);
    this.breaker = createBreaker(
      breakerName(name),
      async (request: UpstreamRequest) => {
        const response = await this.pool.request(request);
        if (FAILURE_STATUSES.has(response.statusCode)) throw new UpstreamFailureResponse(response);
        return response;
      },
      {
        // Off: the route's timeout bounds the wait for headers, and an upload may stream for a long time first.
        timeout: 0,
        errorThresholdPercentage: settings.breaker.errorThresholdPercentage,
        volumeThreshold: settings.breaker.volumeThreshold,
        resetTimeout: settings.breaker.resetTimeoutMs,
        rollingCountTimeout: settings.breaker.windowMs,
        // The caller's doing (a body over the limit, a client that left) says nothing of the upstream.
        errorFilter: isClientError,
      },
      observers,
    );
  }

  /** The breaker's state, for logs and tests. */
  get state(): Breaker<[UpstreamRequest], Dispatcher.ResponseData>['state'] {
    return this.breaker.state;
  }

  /**
   * Sends one attempt through the breaker. Resolves with the answer (its body still to be read); a 502/503/504
   * answer rejects with `UpstreamFailureResponse` carrying it; an open breaker rejects with UPSTREAM.CIRCUIT_OPEN.
   */
  send(request: UpstreamRequest): Promise<Dispatcher.ResponseData> {
    return this.breaker.fire(request);
  }

  /** Stops the breaker and closes the pool, letting requests in flight finish for a moment. */
  async close(): Promise<void> {
    this.breaker.shutdown();
    let timer: NodeJS.Timeout | undefined;
    const closed = this.pool.close();
    const cut = new Promise<'cut'>((resolve) => (timer = setTimeout(() => resolve('cut'), CLOSE_GRACE_MS)));
    if ((await Promise.race([closed.then(() => 'closed' as const), cut])) === 'cut') {
      this.logger.warn({ upstream: this.name }, 'cutting upstream connections still busy at shutdown');
      await this.pool.destroy();
    }
    clearTimeout(timer);
  }
}
