import { EventTypes, Topics, type TradeOutcome } from '@tradeflow/contracts';
import type { BusMessage } from '@tradeflow/platform/bus';
import { ValidationError } from '@tradeflow/platform/errors';
import { outcomeMessage, parseSubmittedTrade } from '../../src/events/trade-processor';
import { aTrade } from '../domain/fixtures';

function message(data: unknown): BusMessage {
  return {
    id: 'm-1',
    source: '/tradeflow/trades',
    type: EventTypes.tradeSubmitted,
    specversion: '1.0',
    time: '2025-03-10T14:30:00Z',
    subject: undefined,
    data,
    key: 'ACC-001',
    topic: Topics.tradesSubmitted,
    partition: 2,
    offset: '41',
    headers: {},
    attempt: 1,
  };
}

const outcome = (status: TradeOutcome['status']): TradeOutcome => ({
  tradeId: 'T-1',
  accountId: 'ACC-001',
  version: 2,
  status,
  failures:
    status === 'REJECTED' ? [{ ruleId: 'PRICE_COLLAR', reason: 'Too far from the reference price.' }] : [],
  validatedAt: '2025-03-10T14:30:05.000Z',
});

describe('parseSubmittedTrade', () => {
  it('when the data is a submitted trade, then it is returned as one', () => {
    expect(parseSubmittedTrade(message(aTrade()))).toEqual(aTrade());
  });

  it('when the data is not a submitted trade, then it throws naming the message and every bad field', () => {
    const bad = message({ ...aTrade(), quantity: -5, side: 'HOLD', extra: true });

    expect(() => parseSubmittedTrade(bad)).toThrow(ValidationError);
    try {
      parseSubmittedTrade(bad);
    } catch (err) {
      const error = err as ValidationError;
      expect(error.message).toBe(
        'Message m-1 on trades.submitted (partition 2, offset 41) is not a submitted trade.',
      );
      expect(error.issues.map((i) => i.field).sort()).toEqual(['/', '/quantity', '/side']);
    }
  });
});

describe('outcomeMessage', () => {
  it('when a trade is validated, then the event is keyed by account with the validated type and a stable id', () => {
    expect(outcomeMessage(outcome('VALIDATED'))).toEqual({
      topic: Topics.tradeOutcomes,
      key: 'ACC-001',
      type: EventTypes.tradeValidated,
      data: outcome('VALIDATED'),
      id: 'outcome:T-1:2',
      subject: 'T-1',
      time: '2025-03-10T14:30:05.000Z',
    });
  });

  it('when a trade is rejected, then the event has the rejected type', () => {
    expect(outcomeMessage(outcome('REJECTED')).type).toBe(EventTypes.tradeRejected);
  });
});
