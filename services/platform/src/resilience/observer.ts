/**
 * What a circuit breaker reports as it works. The metrics module implements it with prom-client;
 * the resilience module itself never imports prom-client.
 */

/** The three states of a circuit breaker. */
export type BreakerState = 'closed' | 'half-open' | 'open';

/** Receives the state changes and call outcomes of one breaker. */
export interface BreakerObserver {
  /** The breaker moved to `state` (also called once with its initial state). */
  stateChanged(state: BreakerState): void;
  /** A call succeeded, or failed with an error the breaker's `errorFilter` excuses. */
  succeeded(): void;
  /** A call failed (not counting timeouts, which are reported on their own). */
  failed(): void;
  /** A call did not settle within the breaker's timeout. */
  timedOut(): void;
  /** A call was refused without running because the circuit is open (or at capacity). */
  rejected(): void;
}

/** Something that hands out an observer per named breaker; `Metrics` from `../metrics` is one. */
export interface BreakerObserverRegistry {
  registerBreaker(name: string): BreakerObserver;
}
