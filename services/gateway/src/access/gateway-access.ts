/**
 * The gateway's AccessControl: the authenticator (keys and JWTs, cached), the usage limiter (token bucket
 * and daily quota), the plans in memory, and the admin operations over the same caches. Its lifecycle runs
 * the background work: the daily-usage flush every interval and the plan refresh.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { AccessControl, Admission, Caller } from './access-control';
import { AccessAdmin } from './access-admin';
import { Authenticator } from './authenticator';
import type { AccessConfig } from './config';
import { DailyQuota } from './daily-quota';
import type { JwtVerifier } from './jwt';
import { PlanBook } from './plan-book';
import type { AccessRepository } from './store/access-repository';
import { UsageLimiter } from './usage-limiter';

export interface GatewayAccessOptions {
  repository: AccessRepository;
  config: AccessConfig;
  /** Undefined when JWT is not configured. */
  jwt: JwtVerifier | undefined;
  logger: Logger;
  /** Epoch milliseconds; tests move it (quota days, key expiry). Default `Date.now`. */
  clock?: () => number;
}

/** Authentication, usage plans and their administration, for one gateway replica. */
export class GatewayAccess implements AccessControl {
  readonly plans: PlanBook;
  readonly authenticator: Authenticator;
  readonly limiter: UsageLimiter;
  readonly admin: AccessAdmin;
  private readonly clock: () => number;
  private readonly logger: Logger;
  private flushTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastFlushErrorLogMs = 0;

  constructor(private readonly options: GatewayAccessOptions) {
    const { repository, config } = options;
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger;
    this.plans = new PlanBook(repository, config.defaultPlan);
    this.authenticator = new Authenticator({
      repository,
      jwt: options.jwt,
      cache: config.keyCache,
      clock: this.clock,
      logger: options.logger,
      onPlanSeen: (plan) => this.plans.ensure(plan),
    });
    const quota = new DailyQuota(repository, (err, consumerId) => this.flushFailed(err, consumerId));
    this.limiter = new UsageLimiter(quota, this.clock);
    this.admin = new AccessAdmin(repository, this.plans, this.authenticator, this.clock);
  }

  /** The caller behind `x-api-key` or `Authorization: Bearer`; an AuthenticationError (401) otherwise. */
  authenticate(headers: IncomingHttpHeaders): Promise<Caller> {
    return this.authenticator.authenticate(headers);
  }

  /** Charges one request to the caller's plan; a PlanLimitError (429) when over its rate or daily quota. */
  admit(caller: Caller): Admission {
    return this.limiter.admit(caller.consumerId, caller.plan, this.plans.limits(caller.plan));
  }

  /** Loads the plans and starts the background flush and refresh. */
  async start(): Promise<void> {
    await this.plans.refresh();
    const { usageFlushIntervalMs, keyCache } = this.options.config;
    this.flushTimer = setInterval(() => void this.flushUsage(), usageFlushIntervalMs);
    this.flushTimer.unref();
    this.refreshTimer = setInterval(() => void this.refreshPlans(), Math.max(1_000, keyCache.ttlMs));
    this.refreshTimer.unref();
  }

  /** Stops the background work and adds what is still counted here to the shared usage. */
  async stop(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.refreshTimer);
    await this.flushing;
    await this.flushUsage();
  }

  /** Adds the daily usage counted here to the shared counts now (the timer does it every interval). */
  async flushUsage(): Promise<void> {
    if (this.flushing !== undefined) return this.flushing;
    const nowMs = this.clock();
    this.flushing = this.limiter.quota.flush(nowMs).finally(() => {
      this.flushing = undefined;
    });
    // Full buckets are dropped on the same beat, so idle consumers cost no memory.
    this.limiter.buckets.sweep(nowMs);
    return this.flushing;
  }

  private async refreshPlans(): Promise<void> {
    try {
      await this.plans.refresh();
    } catch (err) {
      this.logger.warn({ err }, 'could not refresh the usage plans; keeping the ones known');
    }
  }

  /** A failed flush keeps its counts for the next one; logged at most every 10 s. */
  private flushFailed(err: unknown, consumerId: string): void {
    const nowMs = Date.now();
    if (nowMs - this.lastFlushErrorLogMs < 10_000) return;
    this.lastFlushErrorLogMs = nowMs;
    this.logger.warn({ err, consumerId }, 'could not update the shared daily usage; will retry');
  }
}
