import { AppError } from '../src/errors';
import {
  ALL_ACCOUNTS,
  canActFor,
  hasScope,
  identityFromHeaders,
  identityHeaders,
  requireIdentity,
  Scope,
} from '../src/identity';

describe('identity headers', () => {
  it('when an identity is forwarded and read back, then it is the same identity', () => {
    const headers = identityHeaders({
      consumerId: 'c-1',
      accounts: new Set(['ACC-1', 'ACC-2']),
      scopes: new Set([Scope.tradesRead, Scope.tradesWrite]),
    });
    const identity = requireIdentity(headers);
    expect(identity.consumerId).toBe('c-1');
    expect(canActFor(identity, 'ACC-2')).toBe(true);
    expect(canActFor(identity, 'ACC-3')).toBe(false);
    expect(hasScope(identity, Scope.tradesWrite)).toBe(true);
    expect(hasScope(identity, Scope.referenceWrite)).toBe(false);
  });

  it('when the accounts are `*`, then the consumer acts for every account', () => {
    const identity = requireIdentity({ 'x-tradeflow-consumer': 'ops', 'x-tradeflow-accounts': ALL_ACCOUNTS });
    expect(canActFor(identity, 'ANY-1')).toBe(true);
  });

  it('when no consumer header is there, then requireIdentity is a 401 problem and identityFromHeaders is undefined', () => {
    expect(identityFromHeaders({ 'x-tradeflow-accounts': '*' })).toBeUndefined();
    expect(() => requireIdentity({ 'x-tradeflow-consumer': '  ' })).toThrow(
      expect.objectContaining({ status: 401, code: 'AUTH.NO_IDENTITY' }) as AppError,
    );
  });

  it('when the accounts header is empty, then the consumer acts for no account', () => {
    const identity = requireIdentity({ 'x-tradeflow-consumer': 'c', 'x-tradeflow-accounts': ' , ' });
    expect(canActFor(identity, '')).toBe(false);
    expect(canActFor(identity, 'ACC-1')).toBe(false);
  });

  it('when `*` is mixed with accounts, then it is a 400 naming the header', () => {
    expect(() => requireIdentity({ 'x-tradeflow-consumer': 'c', 'x-tradeflow-accounts': 'ACC-1,*' })).toThrow(
      expect.objectContaining({ status: 400 }) as AppError,
    );
  });
});
