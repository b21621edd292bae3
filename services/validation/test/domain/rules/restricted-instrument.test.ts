import { restrictedInstrument } from '../../../src/domain/rules/restricted-instrument';
import { aContext, restricted } from '../fixtures';

describe('RESTRICTED_INSTRUMENT', () => {
  it('when the instrument is not on the restricted list, then it passes', () => {
    expect(restrictedInstrument.evaluate(aContext())).toBeUndefined();
  });

  it('when the instrument is restricted, then it fails with the date and the reason of the restriction', () => {
    const ctx = aContext({ reference: { restricted: restricted() } });

    expect(restrictedInstrument.evaluate(ctx)).toEqual({
      ruleId: 'RESTRICTED_INSTRUMENT',
      reason:
        'Instrument AAPL is on the restricted list since 2025-03-01T00:00:00Z: Pending merger announcement.',
    });
  });
});
