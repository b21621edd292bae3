import { Counter, Gauge, type Registry } from 'prom-client';
import type { BreakerObserverRegistry, BreakerState } from '../resilience/observer';

/** Gauge values of `circuit_breaker_state`. */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = {
  closed: 0,
  'half-open': 1,
  open: 2,
};

const RESULTS = ['success', 'failure', 'timeout', 'rejected'] as const;

/** Circuit breaker metrics: `circuit_breaker_state{name}` and `circuit_breaker_calls_total{name,result}`. */
export function createBreakerMetrics(registry: Registry): BreakerObserverRegistry {
  const state = new Gauge({
    name: 'circuit_breaker_state',
    help: 'State of each circuit breaker: 0 closed, 1 half-open, 2 open.',
    labelNames: ['name'] as const,
    registers: [registry],
  });
  const calls = new Counter({
    name: 'circuit_breaker_calls_total',
    help: 'Calls through each circuit breaker by result: success, failure, timeout or rejected (not run).',
    labelNames: ['name', 'result'] as const,
    registers: [registry],
  });

  return {
    registerBreaker(name) {
      // Zero every series up front so rates and alerts work before the first failure.
      for (const result of RESULTS) calls.inc({ name, result }, 0);
      return {
        stateChanged: (s) => state.set({ name }, BREAKER_STATE_VALUE[s]),
        succeeded: () => calls.inc({ name, result: 'success' }),
        failed: () => calls.inc({ name, result: 'failure' }),
        timedOut: () => calls.inc({ name, result: 'timeout' }),
        rejected: () => calls.inc({ name, result: 'rejected' }),
      };
    },
  };
}
