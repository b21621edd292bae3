/** Requests as the gateway forwards them: the identity headers of a consumer, for tests that call a service directly. */
import request, { type Test } from 'supertest';
import { ALL_ACCOUNTS, identityHeaders, Scope } from '@tradeflow/platform/identity';

/** Every scope there is (the default: tests about accounts should not trip over scopes). */
export const ALL_SCOPES: readonly Scope[] = Object.values(Scope);

/**
 * The identity headers of consumer `consumerId` acting for `accounts` (a list, or `*` for every account)
 * with `scopes` — what the gateway sets after authenticating the consumer's key.
 */
export function asConsumer(
  consumerId: string,
  accounts: readonly string[] | typeof ALL_ACCOUNTS = ALL_ACCOUNTS,
  scopes: readonly string[] = ALL_SCOPES,
): Record<string, string> {
  return identityHeaders({
    consumerId,
    accounts: accounts === ALL_ACCOUNTS ? ALL_ACCOUNTS : new Set(accounts),
    scopes: new Set(scopes),
  });
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** supertest on `app` with every request sent as the consumer of `headers` (`asConsumer(...)`). */
export function requestAs(
  app: Parameters<typeof request>[0],
  headers: Record<string, string>,
): Record<Method, (url: string) => Test> {
  // A fresh agent per request: one agent's server must not be shared by concurrent requests.
  const as = (method: Method) => (url: string) => request(app)[method](url).set(headers);
  return { get: as('get'), post: as('post'), put: as('put'), patch: as('patch'), delete: as('delete') };
}
