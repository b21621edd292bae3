/**
 * Whose trades a caller sees. A consumer acts only for its accounts (the gateway forwards them); anything of
 * another account answers exactly like something that does not exist, so the answer never tells a caller
 * what other consumers have.
 */
import { NotFoundError, type FieldIssue } from '@tradeflow/platform/errors';

/** The 404 of a trade that does not exist or is not the caller's (the two are indistinguishable). */
export function tradeNotFound(id: string): NotFoundError {
  return new NotFoundError(`No trade has the id ${JSON.stringify(id.slice(0, 200))}.`, 'TRADES.NOT_FOUND');
}

/** The 404 of an account the caller does not act for. */
export function accountNotFound(accountId: string): NotFoundError {
  return new NotFoundError(
    `No account has the id ${JSON.stringify(accountId.slice(0, 200))}.`,
    'TRADES.ACCOUNT_NOT_FOUND',
  );
}

/** The same, as the field issue of one item of a batch or one line of a bulk upload. */
export function accountNotFoundIssue(accountId: string): FieldIssue {
  return { field: '/accountId', message: accountNotFound(accountId).message };
}
