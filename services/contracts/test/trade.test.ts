import { tradeCancelled, TradeCancelled, TradeSubmitted } from '../src';

const submitted = {
  tradeId: 'T-1',
  accountId: 'ACC-001',
  symbol: 'AAPL',
  side: 'BUY',
  quantity: 100,
  price: 197.1,
  currency: 'USD',
  tradeTime: '2025-03-10T14:30:00Z',
  receivedAt: '2025-03-10T14:30:01Z',
  channel: 'single',
  version: 1,
};

describe('TradeSubmitted', () => {
  it('when an event has no previous version (a first submission, or a producer that predates it), then it parses as it is', () => {
    expect(TradeSubmitted.parse(submitted)).toEqual(submitted);
  });

  it('when an amendment names the version it replaces, then its version, price and quantity are kept', () => {
    const amended = {
      ...submitted,
      version: 3,
      price: 198,
      previous: { version: 2, price: 197.1, quantity: 100 },
    };

    expect(TradeSubmitted.parse(amended).previous).toEqual({ version: 2, price: 197.1, quantity: 100 });
  });

  it('when the previous version is malformed or carries other fields, then the event is refused naming them', () => {
    const result = TradeSubmitted.safeParse({
      ...submitted,
      version: 2,
      previous: { version: 0, price: 197.1, quantity: 100, symbol: 'MSFT' },
    });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('/')).sort()).toEqual([
      'previous',
      'previous/version',
    ]);
  });
});

describe('TradeCancelled', () => {
  // The submitted trade's fields, at a later version, less what only a submission carries.
  const { receivedAt: _receivedAt, channel: _channel, ...versionFields } = submitted;
  const cancelled = { ...versionFields, version: 2, cancelledAt: '2025-03-10T15:00:00Z' };

  it('when a cancellation names the cancelled version and its fields, then it parses as it is', () => {
    expect(TradeCancelled.parse(cancelled)).toEqual(cancelled);
  });

  it('when its data is built from a richer trade, then it carries only the fields of the cancelled version', () => {
    const data = tradeCancelled({ ...TradeSubmitted.parse(submitted), version: 2 }, '2025-03-10T15:00:00Z');

    expect(TradeCancelled.parse(data)).toEqual(cancelled);
  });

  it('when a cancellation lacks what validation finds the version by or carries other fields, then it is refused naming them', () => {
    const { price: _price, ...withoutPrice } = cancelled;
    const result = TradeCancelled.safeParse({ ...withoutPrice, version: 0, channel: 'single' });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('/') || i.code).sort()).toEqual([
      'price',
      'unrecognized_keys',
      'version',
    ]);
  });
});
