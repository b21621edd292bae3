import { parseTradeInput } from '../../src/intake/trade-input';
import { TradeAmendment, type InstrumentLookup } from '../../src/domain';

const instruments: InstrumentLookup = {
  instrument: (symbol) =>
    symbol === 'AAPL' ? { tickSize: 0.01 } : symbol === 'BRK.A' ? { tickSize: 1 } : undefined,
};

const good = {
  accountId: 'ACC-1',
  symbol: 'AAPL',
  side: 'BUY',
  quantity: 100,
  price: 190.25,
  currency: 'USD',
  tradeTime: '2025-06-02T14:30:00Z',
};

function fieldsOf(input: unknown): string[] {
  const parsed = parseTradeInput(input, instruments);
  return parsed.ok ? [] : parsed.issues.map((i) => i.field);
}

describe('parseTradeInput', () => {
  it('when every field is valid, then the request is returned as given', () => {
    const parsed = parseTradeInput({ ...good, clientTradeId: 'c-1' }, instruments);
    expect(parsed).toEqual({ ok: true, request: { ...good, clientTradeId: 'c-1' } });
  });

  it('when several fields are wrong, then every one of them is named at once', () => {
    expect(
      fieldsOf({
        ...good,
        side: 'HOLD',
        quantity: 'ten',
        price: -1,
        tradeTime: 'noon',
        currency: 'usd',
      }).sort(),
    ).toEqual(['/currency', '/price', '/quantity', '/side', '/tradeTime']);
  });

  it('when fields are missing, then each reads "is required"', () => {
    const parsed = parseTradeInput({}, instruments);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues).toEqual(
      expect.arrayContaining([
        { field: '/accountId', message: 'is required' },
        { field: '/quantity', message: 'is required' },
        { field: '/tradeTime', message: 'is required' },
      ]),
    );
    expect(parsed.issues).toHaveLength(7);
  });

  it('when an unknown field is sent, then it is named as unknown', () => {
    const parsed = parseTradeInput({ ...good, venue: 'XNAS' }, instruments);
    expect(parsed).toEqual({ ok: false, issues: [{ field: '/venue', message: 'Unknown field.' }] });
  });

  it.each([
    ['a fractional quantity', { quantity: 1.5 }, '/quantity'],
    ['a zero quantity', { quantity: 0 }, '/quantity'],
    ['a zero price', { price: 0 }, '/price'],
    ['a lower-case symbol', { symbol: 'aapl!' }, '/symbol'],
    ['a malformed account id', { accountId: 'a' }, '/accountId'],
    ['a time without offset', { tradeTime: '2025-06-02T14:30:00' }, '/tradeTime'],
    ['a time past year 9998', { tradeTime: '9999-12-31T23:00:00-05:00' }, '/tradeTime'],
    ['an impossible date', { tradeTime: '2025-02-30T10:00:00Z' }, '/tradeTime'],
    ['a client id with spaces', { clientTradeId: 'a b' }, '/clientTradeId'],
  ])('when the trade has %s, then that field is named', (_name, change, field) => {
    expect(fieldsOf({ ...good, ...change })).toEqual([field]);
  });

  it('when the body is not an object, then the value itself is named', () => {
    expect(parseTradeInput([1, 2], instruments)).toEqual({
      ok: false,
      issues: [{ field: '', message: 'must be a JSON object' }],
    });
  });

  it("when the price is off a known instrument's tick grid, then the price is named with the tick size", () => {
    const parsed = parseTradeInput({ ...good, price: 190.255 }, instruments);
    expect(parsed).toEqual({
      ok: false,
      issues: [{ field: '/price', message: "must be a multiple of AAPL's tick size 0.01" }],
    });
    expect(fieldsOf({ ...good, symbol: 'BRK.A', price: 612000.5 })).toEqual(['/price']);
  });

  it('when the price is off the tick grid and another field is wrong too, then both are named', () => {
    expect(fieldsOf({ ...good, price: 190.255, side: 'HOLD' }).sort()).toEqual(['/price', '/side']);
  });

  it('when the instrument is unknown, then any positive price passes (validation decides)', () => {
    expect(parseTradeInput({ ...good, symbol: 'NEWCO', price: 1.23456 }, instruments).ok).toBe(true);
  });
});

describe('TradeAmendment', () => {
  it('when neither price nor quantity is given, then it is refused', () => {
    expect(TradeAmendment.safeParse({}).success).toBe(false);
  });

  it('when only the quantity is given, then it is accepted', () => {
    expect(TradeAmendment.parse({ quantity: 5 })).toEqual({ quantity: 5 });
  });

  it('when another field is given, then it is refused', () => {
    expect(TradeAmendment.safeParse({ price: 1, side: 'SELL' }).success).toBe(false);
  });
});
