import { unknownAccount } from '../../../src/domain/rules/unknown-account';
import { aContext } from '../fixtures';

describe('UNKNOWN_ACCOUNT', () => {
  it('when the account is known, then it passes', () => {
    expect(unknownAccount.evaluate(aContext())).toBeUndefined();
  });

  it('when the account is not in the reference data, then it fails naming the account', () => {
    const ctx = aContext({ trade: { accountId: 'ACC-404' }, reference: { account: undefined } });

    expect(unknownAccount.evaluate(ctx)).toEqual({
      ruleId: 'UNKNOWN_ACCOUNT',
      reason: 'Account ACC-404 is not known.',
    });
  });
});
