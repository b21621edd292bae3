import { formatDuration } from '../numbers';
import { defineRule } from '../rule';

/** An identical trade shortly after another is most likely sent twice. */
export const probableDuplicate = defineRule({
  id: 'PROBABLE_DUPLICATE',
  description:
    'No earlier trade may have the same account, symbol, side, quantity and price within the duplicate window.',
  check: ({ trade, probableDuplicateOf, settings }) =>
    // The same trade id is this trade redelivered or re-versioned, not a second trade.
    probableDuplicateOf === undefined || probableDuplicateOf === trade.tradeId
      ? undefined
      : `Same account, symbol, side, quantity and price as trade ${probableDuplicateOf} within the ${formatDuration(settings.duplicateWindowMs)} duplicate window.`,
});
