import { noopBusObserver, silentBusLogger, type BusMessage } from '@tradeflow/platform/bus';
import { processRecords, type DeliveryContext } from '../../src/bus/delivery';
import { encodeEnvelope, type EncodedRecord, type RawRecord } from '../../src/bus/envelope';

function recordAt(offset: number, data: unknown): RawRecord {
  const encoded = encodeEnvelope({ topic: 't', key: 'k', type: 'x', data, id: `id-${offset}` }, '/s');
  return { ...encoded, topic: 't', partition: 0, offset: String(offset) };
}

function context(overrides: Partial<DeliveryContext> & Pick<DeliveryContext, 'subscription'>) {
  const letters: { topic: string; record: EncodedRecord }[] = [];
  const ctx: DeliveryContext = {
    system: 'memory',
    observer: noopBusObserver,
    logger: silentBusLogger,
    closing: new AbortController().signal,
    deadLetter: (topic, record) => {
      letters.push({ topic, record });
      return Promise.resolve();
    },
    ...overrides,
  };
  return { ctx, letters };
}

describe('processRecords', () => {
  it('when a record is not a CloudEvent, then it is dead-lettered at once and the next record is handled', async () => {
    const handled: string[] = [];
    const finished: string[] = [];
    const { ctx, letters } = context({
      subscription: {
        group: 'g',
        topics: ['t'],
        handler: (m: BusMessage) => {
          handled.push(m.id);
          return Promise.resolve();
        },
      },
    });
    const foreign: RawRecord = {
      topic: 't',
      partition: 0,
      offset: '0',
      key: 'k',
      value: Buffer.from('x'),
      headers: {},
    };
    await processRecords(ctx, [foreign, recordAt(1, 1)], (r) => void finished.push(r.offset));
    expect(handled).toEqual(['id-1']);
    expect(finished).toEqual(['0', '1']);
    expect(letters.map((l) => [l.topic, l.record.headers['dlq-attempts']])).toEqual([['t.dlq', '0']]);
  });

  it('when the subscription starts closing during retries, then the record is neither committed nor dead-lettered', async () => {
    const closing = new AbortController();
    const finished: string[] = [];
    const { ctx, letters } = context({
      closing: closing.signal,
      subscription: {
        group: 'g',
        topics: ['t'],
        retry: { maxAttempts: 5, backoff: { baseMs: 50, maxMs: 50, jitter: 0 } },
        handler: () => {
          closing.abort();
          return Promise.reject(new Error('fails while shutting down'));
        },
      },
    });
    await processRecords(ctx, [recordAt(0, 1), recordAt(1, 2)], (r) => void finished.push(r.offset));
    expect(finished).toEqual([]);
    expect(letters).toEqual([]);
  });

  it('when the last attempt fails after the subscription started closing, then the record is left for the next member, not dead-lettered', async () => {
    const closing = new AbortController();
    const finished: string[] = [];
    const { ctx, letters } = context({
      closing: closing.signal,
      subscription: {
        group: 'g',
        topics: ['t'],
        retry: { maxAttempts: 1, backoff: { baseMs: 1, maxMs: 1 } },
        handler: () => {
          // The shutdown pulls the rug (a closed connection, an aborted call) while the handler runs.
          closing.abort();
          return Promise.reject(new Error('aborted by the shutdown'));
        },
      },
    });
    await processRecords(ctx, [recordAt(0, 1)], (r) => void finished.push(r.offset));
    expect(finished).toEqual([]);
    expect(letters).toEqual([]);
  });

  it('when the partition is taken away while a handler fails, then the record is not dead-lettered', async () => {
    let stale = false;
    const { ctx, letters } = context({
      isStale: () => stale,
      subscription: {
        group: 'g',
        topics: ['t'],
        retry: { maxAttempts: 1, backoff: { baseMs: 1, maxMs: 1 } },
        handler: () => {
          stale = true;
          return Promise.reject(new Error('fails as the rebalance lands'));
        },
      },
    });
    const finished: string[] = [];
    await processRecords(ctx, [recordAt(0, 1)], (r) => void finished.push(r.offset));
    expect(letters).toEqual([]);
    expect(finished).toEqual([]);
  });

  it('when a batch fails on one poison message, then one failure counts for the batch and one per attempt alone', async () => {
    const failures: string[] = [];
    const calls: number[][] = [];
    const { ctx, letters } = context({
      observer: { ...noopBusObserver, failed: (topic) => void failures.push(topic) },
      subscription: {
        group: 'g',
        topics: ['t'],
        maxBatchSize: 4,
        retry: { maxAttempts: 2, backoff: { baseMs: 1, maxMs: 1 } },
        batchHandler: (messages: BusMessage[]) => {
          const values = messages.map((m) => m.data as number);
          calls.push(values);
          return values.includes(2) ? Promise.reject(new Error('poison')) : Promise.resolve();
        },
      },
    });
    const finished: string[] = [];
    await processRecords(
      ctx,
      Array.from({ length: 4 }, (_, i) => recordAt(i, i)),
      (r) => {
        finished.push(r.offset);
      },
    );
    // The batch, then each message alone; the poison message twice (maxAttempts), so 1 + 2 handler calls for it.
    expect(calls).toEqual([[0, 1, 2, 3], [0], [1], [2], [2], [3]]);
    expect(failures).toEqual(['t', 't', 't']);
    expect(letters.map((l) => l.record.headers['ce_id'])).toEqual(['id-2']);
    expect(finished).toEqual(['0', '1', '2', '3']);
  });

  it('when a batch handler succeeds, then the whole batch is committed in one step, up to its last record', async () => {
    const finished: string[] = [];
    const batches: number[] = [];
    const { ctx } = context({
      subscription: {
        group: 'g',
        topics: ['t'],
        maxBatchSize: 4,
        batchHandler: (messages: BusMessage[]) => {
          batches.push(messages.length);
          return Promise.resolve();
        },
      },
    });
    const records = Array.from({ length: 10 }, (_, i) => recordAt(i, i));
    await processRecords(ctx, records, (r) => void finished.push(r.offset));
    expect(batches).toEqual([4, 4, 2]);
    expect(finished).toEqual(['3', '7', '9']);
  });
});
