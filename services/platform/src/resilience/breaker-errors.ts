/** Stable codes of the errors a breaker raises instead of calling its function. */
export const BreakerErrorCode = {
  /** The circuit is open: recent calls failed too often, so this one was refused without running. */
  CIRCUIT_OPEN: 'UPSTREAM.CIRCUIT_OPEN',
  /** The call did not settle within the breaker's timeout. */
  TIMEOUT: 'UPSTREAM.TIMEOUT',
  /** As many calls as the breaker's capacity allows are already in flight. */
  AT_CAPACITY: 'UPSTREAM.AT_CAPACITY',
  /** The breaker was shut down (the process is stopping). */
  SHUT_DOWN: 'UPSTREAM.BREAKER_SHUT_DOWN',
} as const;
