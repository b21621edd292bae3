import { BusError } from '@tradeflow/platform/bus';
import {
  decodeEnvelope,
  deadLetterRecord,
  encodeEnvelope,
  withoutDeadLetterHeaders,
  type RawRecord,
} from '../../src/bus/envelope';

const at = { topic: 'trades.submitted', partition: 2, offset: '41' };

describe('CloudEvents binary envelope', () => {
  it('when a message is encoded, then its attributes become ce_* headers and its data the JSON value', () => {
    const record = encodeEnvelope(
      {
        topic: 'x',
        key: 'acc-1',
        type: 'tradeflow.t.v1',
        data: { price: 1.5 },
        headers: { ce_id: 'spoofed', a: 'b' },
      },
      '/tradeflow/test',
      { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    );
    expect(record.key).toBe('acc-1');
    expect(JSON.parse(record.value?.toString() ?? '')).toEqual({ price: 1.5 });
    expect(record.headers).toMatchObject({
      'content-type': 'application/json',
      ce_source: '/tradeflow/test',
      ce_type: 'tradeflow.t.v1',
      ce_specversion: '1.0',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      a: 'b',
    });
    expect(record.headers['ce_id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(record.headers['ce_subject']).toBeUndefined();
    expect(Date.parse(record.headers['ce_time'] ?? '')).not.toBeNaN();
  });

  it('when data is null, then the record is a tombstone that decodes back to null', () => {
    const record = encodeEnvelope({ topic: 'x', key: 'k', type: 't', data: null, id: 'i' }, '/s');
    expect(record.value).toBeNull();
    expect(decodeEnvelope({ ...record, ...at }, 1).data).toBeNull();
  });

  it('when a record lacks CloudEvents headers or has a bad value, then decoding raises a non-retriable BusError', () => {
    const good = encodeEnvelope({ topic: 'x', key: 'k', type: 't', data: 1, id: 'i' }, '/s');
    const cases: RawRecord[] = [
      { ...at, key: 'k', value: Buffer.from('1'), headers: {} },
      { ...at, ...good, headers: { ...good.headers, ce_specversion: '0.3' } },
      { ...at, ...good, value: Buffer.from('{not json') },
    ];
    for (const record of cases) {
      let caught: unknown;
      try {
        decodeEnvelope(record, 1);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(BusError);
      expect(caught).toMatchObject({ code: 'BUS.INVALID_ENVELOPE', retriable: false });
    }
  });

  it('when a record is dead-lettered twice, then it carries only the latest dlq-* headers', () => {
    const good = encodeEnvelope({ topic: 'x', key: 'k', type: 't', data: 1, id: 'i' }, '/s');
    const first = deadLetterRecord({ ...at, ...good }, { error: new Error('one'), attempts: 3, group: 'g1' });
    const second = deadLetterRecord(
      { ...first, topic: 'other', partition: 0, offset: '7' },
      { error: 'two', attempts: 1, group: 'g2' },
    );
    expect(second.headers).toMatchObject({
      ce_id: 'i',
      'dlq-error-message': 'two',
      'dlq-attempts': '1',
      'dlq-group': 'g2',
      'dlq-original-topic': 'other',
      'dlq-original-offset': '7',
    });
    expect(Object.keys(withoutDeadLetterHeaders(second.headers)).sort()).toEqual(
      Object.keys(good.headers).sort(),
    );
  });
});
