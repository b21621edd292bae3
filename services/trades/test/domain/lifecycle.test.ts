import {
  acceptsOutcome,
  bulkTradeId,
  canApply,
  canonicalJson,
  decodeCursor,
  encodeCursor,
  AccountTradesCursor,
  requestFingerprint,
} from '../../src/domain';
import { ValidationError } from '@tradeflow/platform/errors';

describe('trade lifecycle', () => {
  it.each(['RECEIVED', 'VALIDATED', 'REJECTED', 'AMENDED'] as const)(
    'when a trade is %s, then it may be amended and cancelled',
    (status) => {
      expect(canApply('amend', status)).toBe(true);
      expect(canApply('cancel', status)).toBe(true);
    },
  );

  it('when a trade is CANCELLED, then nothing more may happen to it', () => {
    expect(canApply('amend', 'CANCELLED')).toBe(false);
    expect(canApply('cancel', 'CANCELLED')).toBe(false);
  });

  it('when an outcome is of the current version and the trade awaits one, then it applies; otherwise not', () => {
    expect(acceptsOutcome({ status: 'RECEIVED', version: 1 }, 1)).toBe(true);
    expect(acceptsOutcome({ status: 'AMENDED', version: 2 }, 2)).toBe(true);
    expect(acceptsOutcome({ status: 'AMENDED', version: 2 }, 1)).toBe(false);
    expect(acceptsOutcome({ status: 'VALIDATED', version: 1 }, 1)).toBe(false);
    expect(acceptsOutcome({ status: 'CANCELLED', version: 1 }, 1)).toBe(false);
  });

  it('when a bulk line is retried, then its trade id is the same', () => {
    expect(bulkTradeId('job-1', 42)).toBe(bulkTradeId('job-1', 42));
    expect(bulkTradeId('job-1', 42)).not.toBe(bulkTradeId('job-1', 43));
  });
});

describe('cursors', () => {
  it('when a cursor this service issued comes back, then it decodes to the same position', () => {
    const cursor = encodeCursor({ a: 'ACC-1', t: '2025-06-02T14:30:00.000Z#t1', id: 't1' });
    expect(decodeCursor(cursor, AccountTradesCursor)).toEqual({
      a: 'ACC-1',
      t: '2025-06-02T14:30:00.000Z#t1',
      id: 't1',
    });
  });

  it.each(['not-a-cursor', '', '!!!', encodeCursor({ a: 'ACC-1' }), 'x'.repeat(1000)])(
    'when the cursor is %j, then it is a 400 naming cursor',
    (cursor) => {
      expect(() => decodeCursor(cursor, AccountTradesCursor)).toThrow(ValidationError);
    },
  );
});

describe('request fingerprints', () => {
  it('when two bodies differ only in key order, then their fingerprints are equal', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(requestFingerprint('op', { a: 1, b: 2 })).toBe(requestFingerprint('op', { b: 2, a: 1 }));
  });

  it('when the bodies or the operations differ, then the fingerprints differ', () => {
    expect(requestFingerprint('op', { a: 1 })).not.toBe(requestFingerprint('op', { a: 2 }));
    expect(requestFingerprint('op1', { a: 1 })).not.toBe(requestFingerprint('op2', { a: 1 }));
  });
});
