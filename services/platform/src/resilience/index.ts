/** Circuit breakers (opossum) with defaults, typed errors and metrics. */
export { createBreaker, isClientError, type Breaker, type BreakerOptions } from './breaker';
export { BreakerErrorCode } from './breaker-errors';
export type { BreakerObserver, BreakerObserverRegistry, BreakerState } from './observer';
