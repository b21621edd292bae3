import { ValidationError } from '@tradeflow/platform/errors';
import { decodeCursor, encodeCursor } from '../../src/domain';

function cursorError(kind: Parameters<typeof decodeCursor>[0], cursor: string): ValidationError {
  try {
    decodeCursor(kind, cursor);
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error(`cursor ${JSON.stringify(cursor)} was accepted`);
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('list cursor', () => {
  it('when a cursor is encoded, then decoding it gives back the last id', () => {
    for (const [kind, id] of [
      ['instrument', 'BRK.B'],
      ['account', 'DEMO-1'],
      ['market', 'XTKS'],
      ['price', '7203'],
      ['fx', 'GBP'],
    ] as const) {
      const cursor = encodeCursor(kind, id);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(kind, cursor)).toBe(id);
    }
  });

  it('when the cursor is not base64url, then a 400 ValidationError names cursor', () => {
    const err = cursorError('instrument', 'not a cursor!');
    expect(err.status).toBe(400);
    expect(err.issues).toEqual([{ field: 'cursor', message: 'is not a cursor this list returned' }]);
  });

  it('when the cursor belongs to another list, then it is rejected', () => {
    expect(cursorError('instrument', encodeCursor('account', 'DEMO-1')).issues[0]?.field).toBe('cursor');
  });

  it('when the cursor decodes to something other than a cursor, then it is rejected', () => {
    const bad = [
      b64('AAPL'),
      b64('{"k":"instrument"}'),
      b64('{"k":"instrument","id":"AAPL","x":1}'),
      b64('{"k":"instrument","id":"not a symbol"}'),
      b64('null'),
      '',
      'A'.repeat(1000),
    ];
    for (const cursor of bad) expect(cursorError('instrument', cursor).issues[0]?.field).toBe('cursor');
  });
});
