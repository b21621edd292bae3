import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { BusError } from '@tradeflow/platform/bus';
import { toBusError } from '@tradeflow/platform/bus/kafka';

describe('kafka error translation', () => {
  it('when kafkajs gives up after retrying a retriable error, then the BusError is retriable', () => {
    const cause = new KafkaJSConnectionError('Connection refused', { broker: '127.0.0.1:1' });
    const err = toBusError(
      new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 100 }),
      'BUS.X',
      'op',
    );
    expect(err).toBeInstanceOf(BusError);
    expect(err).toMatchObject({ code: 'BUS.X', retriable: true, status: 503 });
    expect(err.details).toMatchObject({ kafkaError: 'KafkaJSConnectionError' });
  });

  it('when the broker refuses for good, then the BusError is not retriable and names the protocol error', () => {
    // 87 = INVALID_RECORD, not retriable in kafkajs' error table.
    const err = toBusError(
      new KafkaJSProtocolError({
        type: 'INVALID_RECORD',
        code: 87,
        retriable: false,
        message: 'bad',
      } as unknown as Error),
      'BUS.X',
      'op',
    );
    expect(err).toMatchObject({ retriable: false, status: 500 });
    expect(err.details).toMatchObject({
      kafkaError: 'KafkaJSProtocolError',
      kafkaErrorType: 'INVALID_RECORD',
    });
  });

  it('when the error is not from kafkajs, then it is wrapped as not retriable; a BusError passes through', () => {
    expect(toBusError(new Error('boom'), 'BUS.X', 'op')).toMatchObject({
      retriable: false,
      message: 'op: boom',
    });
    const own = new BusError('BUS.CLOSED', 'closed', { retriable: false });
    expect(toBusError(own, 'BUS.X', 'op')).toBe(own);
  });
});
