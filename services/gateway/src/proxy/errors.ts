/**
 * The errors the gateway makes itself. Their problem bodies never name an upstream's host, port or error: a
 * 5xx problem has a generic detail (the platform's error handler), and the cause goes only to the log.
 */
import { AppError, ForbiddenError, TimeoutError, UnavailableError } from '@tradeflow/platform/errors';

/** Stable codes of the gateway's own problems. */
export const GatewayErrorCode = {
  /** The upstream could not be reached (connection refused, DNS, connect timeout). */
  UPSTREAM_UNAVAILABLE: 'GATEWAY.UPSTREAM_UNAVAILABLE',
  /** The upstream broke the exchange (connection reset or closed before a complete answer). */
  UPSTREAM_FAILED: 'GATEWAY.UPSTREAM_FAILED',
  /** The upstream did not answer within the route's timeout. */
  UPSTREAM_TIMEOUT: 'GATEWAY.UPSTREAM_TIMEOUT',
  /** The upstream's circuit breaker is open: refused without trying. */
  CIRCUIT_OPEN: 'GATEWAY.CIRCUIT_OPEN',
  /** The caller is authenticated but its scopes do not include the route's. */
  SCOPE_MISSING: 'AUTH.SCOPE_MISSING',
  /** The path has dot segments (`/./`, `/../`), which upstreams might resolve to another route's paths. */
  BAD_PATH: 'REQUEST.BAD_PATH',
} as const;

/** 503: the upstream cannot be reached right now; `retryAfterSeconds` becomes Retry-After. */
export class UpstreamUnavailableError extends UnavailableError {
  constructor(
    readonly retryAfterSeconds: number,
    code: string = GatewayErrorCode.UPSTREAM_UNAVAILABLE,
    cause?: unknown,
  ) {
    super('The upstream service cannot be reached.', code, cause);
  }
}

/** 502: the upstream broke off the exchange. */
export class UpstreamFailedError extends AppError {
  constructor(cause?: unknown) {
    super(GatewayErrorCode.UPSTREAM_FAILED, 'The upstream service failed.', 502, { cause });
  }
}

/** 504: no answer within the route's timeout. */
export class UpstreamTimeoutError extends TimeoutError {
  constructor(timeoutMs: number, cause?: unknown) {
    super(
      `The upstream service did not answer within ${timeoutMs} ms.`,
      GatewayErrorCode.UPSTREAM_TIMEOUT,
      cause,
    );
  }
}

/** 403: the route needs a scope the caller does not hold. */
export class ScopeMissingError extends ForbiddenError {
  constructor(scope: string, method: string, prefix: string) {
    super(
      `${method} ${prefix} needs the scope ${scope}, which this consumer does not have.`,
      GatewayErrorCode.SCOPE_MISSING,
    );
  }
}

/** 400: a path with dot segments. */
export class BadPathError extends AppError {
  constructor() {
    super(
      GatewayErrorCode.BAD_PATH,
      'The path must not contain dot segments (/./ or /../), encoded or not.',
      400,
    );
  }
}

/** 499 (nginx's "client closed request"): the client went away; the upstream request is abandoned. */
export class ClientClosedError extends AppError {
  constructor() {
    super('REQUEST.CLIENT_CLOSED', 'The client closed the request.', 499);
  }
}
