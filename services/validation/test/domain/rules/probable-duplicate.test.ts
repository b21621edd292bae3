import { probableDuplicate } from '../../../src/domain/rules/probable-duplicate';
import { aContext } from '../fixtures';

describe('PROBABLE_DUPLICATE', () => {
  it('when no earlier identical trade was found, then it passes', () => {
    expect(probableDuplicate.evaluate(aContext())).toBeUndefined();
  });

  it('when an earlier identical trade was found within the window, then it fails naming that trade and the window', () => {
    const ctx = aContext({ probableDuplicateOf: 'T-0', settings: { duplicateWindowMs: 60_000 } });

    expect(probableDuplicate.evaluate(ctx)).toEqual({
      ruleId: 'PROBABLE_DUPLICATE',
      reason:
        'Same account, symbol, side, quantity and price as trade T-0 within the 1 min duplicate window.',
    });
  });

  it('when the match found is this very trade (a redelivery), then it passes', () => {
    expect(probableDuplicate.evaluate(aContext({ probableDuplicateOf: 'T-1' }))).toBeUndefined();
  });
});
