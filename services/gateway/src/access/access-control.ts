/**
 * The seam between the proxy and access control: who the caller is (API key or JWT) and whether its usage
 * plan admits one more request. The proxy pipeline calls `authenticate`, checks the route's scope, then calls
 * `admit`, and only then forwards.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { TooManyRequestsError } from '@tradeflow/platform/errors';
import type { Identity } from '@tradeflow/platform/identity';

/** The name of the module whose value is the gateway's `AccessControl`. */
export const ACCESS_CONTROL_MODULE = 'gateway-access';

/** An authenticated caller: its identity (forwarded to the services), its plan and how it proved who it is. */
export interface Caller extends Identity {
  plan: string;
  method: 'api-key' | 'jwt';
}

/** Headers to add to the response of an admitted request (the RateLimit headers). */
export interface Admission {
  headers: Record<string, string>;
}

/** Over the plan's rate or daily quota: a 429 whose headers (Retry-After, RateLimit) the proxy sets. */
export class PlanLimitError extends TooManyRequestsError {
  readonly headers: Record<string, string>;

  constructor(retryAfterSeconds: number, message: string, code: string, headers: Record<string, string>) {
    super(retryAfterSeconds, message, code);
    this.headers = headers;
  }
}

/** Authentication and usage plans, as the proxy sees them. */
export interface AccessControl {
  /** The caller behind `x-api-key` or `Authorization: Bearer`; UnauthorizedError (401) when missing or bad. */
  authenticate(headers: IncomingHttpHeaders): Promise<Caller>;
  /** Charges one request to the caller's plan; PlanLimitError (429) when over its rate or quota. */
  admit(caller: Caller): Admission;
}
