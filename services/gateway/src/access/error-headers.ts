import { PlanLimitError } from './access-control';
import { AuthenticationError } from './authenticator';

/**
 * The response headers an access error needs besides its problem body: `WWW-Authenticate` on a 401,
 * `Retry-After`, `RateLimit-Policy` and `RateLimit` on a 429. The proxy sets them before the error handler runs.
 */
export function accessErrorHeaders(err: unknown): Record<string, string> {
  if (err instanceof AuthenticationError || err instanceof PlanLimitError) return err.headers;
  return {};
}
