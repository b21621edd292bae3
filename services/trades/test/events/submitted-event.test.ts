import { EventTypes, TradeCancelled, TradeSubmitted } from '@tradeflow/contracts';
import { cancelledMessage, submittedMessage } from '../../src/events/submitted-event';
import type { Trade } from '../../src/domain';

const trade: Trade = {
  tradeId: 't-1',
  accountId: 'ACC-1',
  symbol: 'AAPL',
  side: 'SELL',
  quantity: 10,
  price: 190.25,
  currency: 'USD',
  tradeTime: '2025-06-02T10:30:00-04:00',
  receivedAt: '2025-06-02T14:30:01.000Z',
  status: 'AMENDED',
  version: 2,
  failures: [],
  updatedAt: '2025-06-02T14:31:00.000Z',
  channel: 'bulk',
  bulkJobId: 'job',
  bulkLine: 3,
};

describe('submittedMessage', () => {
  it('when a trade version is published, then its data is a valid TradeSubmitted keyed by account', () => {
    const message = submittedMessage(trade, 'trades.submitted');
    expect(TradeSubmitted.parse(message.data)).toEqual(message.data);
    expect(message).toMatchObject({
      topic: 'trades.submitted',
      key: 'ACC-1',
      type: EventTypes.tradeSubmitted,
    });
  });

  it('when the same version is published twice, then the event id is the same; another version gets another', () => {
    expect(submittedMessage(trade, 't').id).toBe(submittedMessage(trade, 't').id);
    expect(submittedMessage({ ...trade, version: 3 }, 't').id).not.toBe(submittedMessage(trade, 't').id);
  });

  it('when an amendment is published with the version it replaces, then the event names that version, price and quantity', () => {
    const data = TradeSubmitted.parse(
      submittedMessage(trade, 'trades.submitted', { ...trade, version: 1, price: 190, quantity: 20 }).data,
    );

    expect(data).toMatchObject({ version: 2, price: 190.25, quantity: 10 });
    expect(data.previous).toEqual({ version: 1, price: 190, quantity: 20 });
  });

  it('when a first version is published, then the event has no previous version', () => {
    expect(submittedMessage({ ...trade, version: 1 }, 't').data).not.toHaveProperty('previous');
  });
});

describe('cancelledMessage', () => {
  const cancelled: Trade = {
    ...trade,
    status: 'CANCELLED',
    cancelledAt: '2025-06-02T15:00:00.000Z',
    cancelReason: 'Client asked.',
  };

  it('when a cancellation is published, then it is a valid TradeCancelled of the cancelled version on the submitted topic keyed by account', () => {
    const message = cancelledMessage(cancelled, 'trades.submitted');
    expect(message).toMatchObject({
      topic: 'trades.submitted',
      key: 'ACC-1',
      type: EventTypes.tradeCancelled,
      id: 'cancelled:t-1:2',
      subject: 't-1',
    });
    expect(TradeCancelled.parse(message.data)).toEqual({
      tradeId: 't-1',
      accountId: 'ACC-1',
      version: 2,
      symbol: 'AAPL',
      side: 'SELL',
      quantity: 10,
      price: 190.25,
      currency: 'USD',
      tradeTime: '2025-06-02T10:30:00-04:00',
      cancelledAt: '2025-06-02T15:00:00.000Z',
    });
  });
});
