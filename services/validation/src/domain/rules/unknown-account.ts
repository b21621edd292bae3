import { defineRule } from '../rule';

/** The trade's account must exist in the reference data. */
export const unknownAccount = defineRule({
  id: 'UNKNOWN_ACCOUNT',
  description: 'The account must be known to reference data.',
  check: ({ trade, reference }) =>
    reference.account === undefined ? `Account ${trade.accountId} is not known.` : undefined,
});
