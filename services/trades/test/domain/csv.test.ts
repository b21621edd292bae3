import {
  CSV_OPTIONAL_COLUMNS,
  CSV_REQUIRED_COLUMNS,
  csvRecord,
  parseCsvHeader,
  parseCsvLine,
} from '../../src/domain';

const COLUMNS = [...CSV_REQUIRED_COLUMNS, ...CSV_OPTIONAL_COLUMNS];

describe('parseCsvLine', () => {
  it('when fields are plain, then they are split on commas, empty ones kept', () => {
    expect(parseCsvLine('a,b,,d,')).toEqual({ ok: true, fields: ['a', 'b', '', 'd', ''] });
    expect(parseCsvLine('')).toEqual({ ok: true, fields: [''] });
  });

  it('when a field is quoted, then commas and doubled quotes inside it are kept', () => {
    expect(parseCsvLine('"x, ""y""",z,""')).toEqual({ ok: true, fields: ['x, "y"', 'z', ''] });
  });

  it('when a quote is not closed, then the line is refused', () => {
    expect(parseCsvLine('a,"open')).toEqual({
      ok: false,
      reason: 'has a quoted field that is not closed on the same line',
    });
  });

  it('when text follows a closing quote, then the line is refused', () => {
    expect(parseCsvLine('"a"b,c')).toEqual({ ok: false, reason: 'has text after a closing quote' });
  });

  it('when an unquoted field contains a quote, then the line is refused', () => {
    expect(parseCsvLine('a,b"c')).toEqual({
      ok: false,
      reason: 'has a quote inside an unquoted field (quote the whole field)',
    });
  });
});

describe('parseCsvHeader', () => {
  it('when the header names every column in any order, then the columns are returned', () => {
    expect(parseCsvHeader('symbol,accountId,side,quantity,price,currency,tradeTime')).toEqual({
      ok: true,
      columns: ['symbol', 'accountId', 'side', 'quantity', 'price', 'currency', 'tradeTime'],
    });
  });

  it('when columns are unknown, repeated or missing, then each is reported', () => {
    const header = parseCsvHeader('accountId,symbol,symbol,side,quantity,price,venue');
    expect(header.ok).toBe(false);
    if (header.ok) return;
    expect(header.issues.map((i) => i.column).sort()).toEqual(['currency', 'symbol', 'tradeTime', 'venue']);
  });
});

describe('csvRecord', () => {
  it('when a record is well formed, then numbers are numbers, text is text and empty cells are absent', () => {
    expect(csvRecord(COLUMNS, 'ACC-1,AAPL,BUY,100,190.25,USD,2025-06-02T14:30:00Z,')).toEqual({
      ok: true,
      value: {
        accountId: 'ACC-1',
        symbol: 'AAPL',
        side: 'BUY',
        quantity: 100,
        price: 190.25,
        currency: 'USD',
        tradeTime: '2025-06-02T14:30:00Z',
      },
    });
  });

  it('when a numeric cell is not a number, then it stays text for the schema to name', () => {
    const record = csvRecord(COLUMNS, 'ACC-1,AAPL,BUY,ten,190,USD,2025-06-02T14:30:00Z,');
    expect(record.ok && record.value.quantity).toBe('ten');
  });

  it('when the record has fewer fields than the header, then it is refused with both counts', () => {
    expect(csvRecord(COLUMNS, 'ACC-1,AAPL,BUY,1,190.00,USD')).toEqual({
      ok: false,
      reason: 'The line has 6 field(s); the header has 8.',
    });
  });
});
