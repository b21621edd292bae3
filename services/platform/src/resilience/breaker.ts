import CircuitBreaker from 'opossum';
import { AppError, TimeoutError, UnavailableError } from '../errors';
import { BreakerErrorCode } from './breaker-errors';
import type { BreakerObserver, BreakerObserverRegistry, BreakerState } from './observer';

/** Tuning of a breaker; every field has a default suited to an in-cluster HTTP or database call. */
export interface BreakerOptions {
  /** A call that has not settled after this many ms fails with `TimeoutError`; default 3000. */
  timeout?: number;
  /** Failure percentage in the rolling window at which the circuit opens; default 50. */
  errorThresholdPercentage?: number;
  /** How long the circuit stays open before one trial call is let through (half-open), in ms; default 10000. */
  resetTimeout?: number;
  /** Calls needed in the rolling window before the failure percentage may open the circuit; default 5. */
  volumeThreshold?: number;
  /** Length of the rolling statistics window, in ms; default 10000. */
  rollingCountTimeout?: number;
  /** Buckets the rolling window is divided into; must divide `rollingCountTimeout`; default 10. */
  rollingCountBuckets?: number;
  /** Most calls in flight at once; more are refused with `UPSTREAM.AT_CAPACITY`; default unlimited. */
  capacity?: number;
  /**
   * Returns true for errors that say nothing about the upstream's health, so they do not count as
   * failures (they are still thrown to the caller). Default: `isClientError`.
   */
  errorFilter?: (err: unknown) => boolean;
}

/** A function guarded by a circuit breaker. */
export interface Breaker<A extends unknown[], R> {
  readonly name: string;
  /** The circuit's current state. */
  readonly state: BreakerState;
  /**
   * Calls the function through the breaker. Refusals and timeouts become `UnavailableError` /
   * `TimeoutError` with a `BreakerErrorCode`; the function's own errors pass through unchanged.
   */
  fire(...args: A): Promise<R>;
  /** Stops the breaker's timers; later calls fail with `UPSTREAM.BREAKER_SHUT_DOWN`. */
  shutdown(): void;
}

const DEFAULTS = {
  timeout: 3_000,
  errorThresholdPercentage: 50,
  resetTimeout: 10_000,
  volumeThreshold: 5,
  rollingCountTimeout: 10_000,
  rollingCountBuckets: 10,
} satisfies BreakerOptions;

/**
 * True for an `AppError` with a 4xx status other than 408 and 429: the caller's mistake, not the
 * upstream's trouble. 408 and 429 are the upstream asking for less load, so they do count.
 */
export function isClientError(err: unknown): boolean {
  return (
    err instanceof AppError &&
    err.status >= 400 &&
    err.status < 500 &&
    err.status !== 408 &&
    err.status !== 429
  );
}

/**
 * Wraps `fn` in an opossum circuit breaker called `name` with sensible defaults; `observers`
 * (usually the service's `Metrics`) receives its state and the outcome of every call.
 */
export function createBreaker<A extends unknown[], R>(
  name: string,
  fn: (...args: A) => Promise<R>,
  options: BreakerOptions = {},
  observers?: BreakerObserverRegistry,
): Breaker<A, R> {
  const { errorFilter = isClientError, ...tuning } = options;
  const settings = { ...DEFAULTS, ...tuning };
  const circuit = new CircuitBreaker<A, R>(fn, { ...settings, name, errorFilter });
  const observer = observers?.registerBreaker(name);

  // opossum signals refusals and timeouts with plain Errors that carry a code a real upstream error
  // could carry too; remembering the exact objects it emits tells them apart without guessing.
  const refused = new WeakSet<Error>();
  const atCapacity = new WeakSet<Error>();
  const timedOut = new WeakSet<Error>();
  circuit.on('reject', (err) => refused.add(err));
  circuit.on('semaphoreLocked', (err) => atCapacity.add(err));
  circuit.on('timeout', (err) => timedOut.add(err));
  if (observer !== undefined) observe(circuit, observer, timedOut);

  const translate = (err: unknown): unknown => {
    if (!(err instanceof Error)) return err;
    if (refused.has(err)) {
      return new UnavailableError(
        `The circuit "${name}" is open; try again later.`,
        BreakerErrorCode.CIRCUIT_OPEN,
        err,
      );
    }
    if (timedOut.has(err)) {
      return new TimeoutError(
        `"${name}" did not answer within ${settings.timeout} ms.`,
        BreakerErrorCode.TIMEOUT,
        err,
      );
    }
    if (atCapacity.has(err)) {
      return new UnavailableError(
        `"${name}" has too many calls in flight.`,
        BreakerErrorCode.AT_CAPACITY,
        err,
      );
    }
    if (circuit.isShutdown && (err as { code?: unknown }).code === 'ESHUTDOWN') {
      return new UnavailableError(`The circuit "${name}" is shut down.`, BreakerErrorCode.SHUT_DOWN, err);
    }
    return err;
  };

  return {
    name,
    get state() {
      return stateOf(circuit);
    },
    async fire(...args) {
      try {
        return await circuit.fire(...args);
      } catch (err) {
        throw translate(err);
      }
    },
    shutdown: () => circuit.shutdown(),
  };
}

function stateOf(circuit: Pick<CircuitBreaker, 'halfOpen' | 'opened'>): BreakerState {
  if (circuit.halfOpen) return 'half-open';
  return circuit.opened ? 'open' : 'closed';
}

function observe<A extends unknown[], R>(
  circuit: CircuitBreaker<A, R>,
  observer: BreakerObserver,
  timedOut: WeakSet<Error>,
): void {
  observer.stateChanged('closed');
  circuit.on('open', () => observer.stateChanged('open'));
  circuit.on('halfOpen', () => observer.stateChanged('half-open'));
  circuit.on('close', () => observer.stateChanged('closed'));
  circuit.on('success', () => observer.succeeded());
  // opossum reports a timeout as 'timeout' and then as 'failure'; count it once, as a timeout.
  circuit.on('failure', (err) => {
    if (!timedOut.has(err)) observer.failed();
  });
  circuit.on('timeout', () => observer.timedOut());
  circuit.on('reject', () => observer.rejected());
  circuit.on('semaphoreLocked', () => observer.rejected());
}
