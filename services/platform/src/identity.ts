/**
 * The caller's identity as the gateway forwards it to the services. The gateway authenticates the request,
 * strips any copy of these headers the client sent, and sets them itself; a service trusts them because only
 * the gateway can reach it (NetworkPolicy in Kubernetes, loopback in the local shapes). Services check the
 * accounts on every read and write (a foreign account's data answers 404); the gateway checks the scopes.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { UnauthorizedError, ValidationError } from './errors';

/** The headers that carry the identity, lower case as Node presents them. */
export const IdentityHeader = {
  /** The consumer's id. */
  consumer: 'x-tradeflow-consumer',
  /** The accounts the consumer may act for, comma separated, or `*` for every account. */
  accounts: 'x-tradeflow-accounts',
  /** The consumer's scopes, space separated. */
  scopes: 'x-tradeflow-scopes',
} as const;

/** Every identity header: the gateway strips them from what clients send. */
export const IDENTITY_HEADER_NAMES: readonly string[] = Object.values(IdentityHeader);

/** What a consumer may do, route by route (the gateway's route table names them). */
export const Scope = {
  tradesRead: 'trades:read',
  tradesWrite: 'trades:write',
  referenceRead: 'reference:read',
  referenceWrite: 'reference:write',
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

/** Every account, for operators and internal tools. */
export const ALL_ACCOUNTS = '*';

/** An authenticated caller. */
export interface Identity {
  consumerId: string;
  /** The accounts it may act for, or every account. */
  accounts: typeof ALL_ACCOUNTS | ReadonlySet<string>;
  scopes: ReadonlySet<string>;
}

/** The headers that forward `identity` (what the gateway sets). */
export function identityHeaders(identity: Identity): Record<string, string> {
  return {
    [IdentityHeader.consumer]: identity.consumerId,
    [IdentityHeader.accounts]:
      identity.accounts === ALL_ACCOUNTS ? ALL_ACCOUNTS : [...identity.accounts].join(','),
    [IdentityHeader.scopes]: [...identity.scopes].join(' '),
  };
}

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The forwarded identity, or undefined when the request carries none; malformed headers are a 400. */
export function identityFromHeaders(headers: IncomingHttpHeaders): Identity | undefined {
  const consumerId = single(headers, IdentityHeader.consumer)?.trim();
  if (consumerId === undefined || consumerId === '') return undefined;
  const accounts = (single(headers, IdentityHeader.accounts) ?? '').trim();
  if (accounts.includes(ALL_ACCOUNTS) && accounts !== ALL_ACCOUNTS) {
    throw new ValidationError([
      {
        field: `header:${IdentityHeader.accounts}`,
        message: `"${ALL_ACCOUNTS}" cannot be combined with accounts`,
      },
    ]);
  }
  const scopes = (single(headers, IdentityHeader.scopes) ?? '').split(/\s+/).filter((s) => s !== '');
  return {
    consumerId,
    accounts:
      accounts === ALL_ACCOUNTS
        ? ALL_ACCOUNTS
        : new Set(
            accounts
              .split(',')
              .map((a) => a.trim())
              .filter((a) => a !== ''),
          ),
    scopes: new Set(scopes),
  };
}

/** The forwarded identity; a request without one did not come through the gateway (401). */
export function requireIdentity(headers: IncomingHttpHeaders): Identity {
  const identity = identityFromHeaders(headers);
  if (identity === undefined) {
    throw new UnauthorizedError(
      'No caller identity: this API is reached through the gateway, with an API key or a bearer token.',
      'AUTH.NO_IDENTITY',
    );
  }
  return identity;
}

/** True when `identity` may act for `accountId`. */
export function canActFor(identity: Identity, accountId: string): boolean {
  return identity.accounts === ALL_ACCOUNTS || identity.accounts.has(accountId);
}

/** True when `identity` holds `scope`. */
export function hasScope(identity: Identity, scope: string): boolean {
  return identity.scopes.has(scope);
}
