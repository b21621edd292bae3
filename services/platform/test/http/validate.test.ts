import { z } from 'zod';
import { ValidationError } from '../../src/errors';
import { parseWith, pointer } from '../../src/http';

const Trade = z.strictObject({
  account: z.string().min(1),
  side: z.enum(['BUY', 'SELL']),
  items: z.array(z.strictObject({ symbol: z.string(), price: z.number().positive() })),
  quantity: z.coerce.number().int().positive(),
});

function issuesOf(fn: () => unknown): { field: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
}

describe('parseWith', () => {
  it('when the value is valid, then it returns the parsed (coerced) output', () => {
    const trade = parseWith(Trade, { account: 'A', side: 'BUY', items: [], quantity: '5' });

    expect(trade.quantity).toBe(5);
  });

  it('when several fields are invalid, then every one is named by its pointer', () => {
    const issues = issuesOf(() =>
      parseWith(Trade, {
        account: '',
        side: 'HOLD',
        items: [
          { symbol: 'X', price: 1 },
          { symbol: 'Y', price: 2 },
          { symbol: 'Z', price: 3 },
          { symbol: 'W', price: 0 },
        ],
      }),
    );

    expect(issues.map((i) => i.field)).toEqual(['/account', '/side', '/items/3/price', '/quantity']);
    expect(issues.every((i) => i.message.length > 0)).toBe(true);
  });

  it('when a strict schema meets unknown fields, then each unknown field is named', () => {
    const issues = issuesOf(() =>
      parseWith(Trade, {
        account: 'A',
        side: 'SELL',
        items: [{ symbol: 'X', price: 1, venue: 'LSE' }],
        quantity: 1,
        note: 'x',
        tag: 1,
      }),
    );

    expect(issues).toEqual([
      { field: '/items/0/venue', message: 'Unknown field.' },
      { field: '/note', message: 'Unknown field.' },
      { field: '/tag', message: 'Unknown field.' },
    ]);
  });

  it('when the value itself has the wrong type, then the field is the empty pointer', () => {
    expect(issuesOf(() => parseWith(Trade, 'not an object'))).toEqual([
      { field: '', message: expect.any(String) as unknown },
    ]);
  });

  it('when a key contains / or ~, then the pointer escapes it (RFC 6901)', () => {
    expect(pointer(['a/b', 'm~n', 0])).toBe('/a~1b/m~0n/0');
  });
});
