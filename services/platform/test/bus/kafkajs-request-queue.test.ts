/**
 * The kafkajs request-queue fix (bus/kafkajs-request-queue): an idle connection arms no timer, and a request
 * that has to wait (a full in-flight window, a throttling broker) is still sent.
 */
import '@tradeflow/platform/bus/kafka';
import { kafkajsRequestQueue, type KafkajsRequestQueue } from '../../src/bus/kafkajs-request-queue';
import { eventually } from '../../../../tests/support/eventually';

/** The queue's public surface the tests drive (kafkajs' own methods). */
interface Queue extends KafkajsRequestQueue {
  push(request: { entry: Entry; expectResponse: boolean; sendRequest: () => void }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(ms: number): void;
  destroy(): void;
}

interface Entry {
  apiKey: number;
  apiName: string;
  apiVersion: number;
  correlationId: number;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

const quiet = {
  debug: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  error: () => undefined,
};
const queues: Queue[] = [];

function newQueue(maxInFlightRequests: number): Queue {
  const RequestQueue = kafkajsRequestQueue();
  const queue = new RequestQueue({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'localhost:9092',
    logger: quiet,
  }) as Queue;
  queues.push(queue);
  return queue;
}

/** Pushes request `id`; `sent` records the ids in the order they went to the socket. */
function push(queue: Queue, id: number, sent: number[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const entry = { apiKey: 0, apiName: 'Produce', apiVersion: 3, correlationId: id, resolve, reject };
    queue.push({ entry, expectResponse: true, sendRequest: () => sent.push(id) });
  });
}

function answer(queue: Queue, id: number): void {
  queue.fulfillRequest({ correlationId: id, payload: Buffer.alloc(0), size: 0 });
}

afterEach(() => {
  for (const queue of queues.splice(0)) {
    clearTimeout(queue.throttleCheckTimeoutId ?? undefined);
    queue.destroy();
  }
});

describe('kafkajs request queue', () => {
  it('when nothing is pending, then a check of the queue arms no timer', () => {
    const queue = newQueue(1);
    queue.checkPendingRequests();
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });

  it('when a request was answered and none waits, then the queue is left without a timer', async () => {
    const queue = newQueue(1);
    const sent: number[] = [];
    const done = push(queue, 1, sent);
    answer(queue, 1);
    await done;
    expect(sent).toEqual([1]);
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });

  it('when a request waits behind a full in-flight window, then it is sent once the one in flight is answered', async () => {
    const queue = newQueue(1);
    const sent: number[] = [];
    const first = push(queue, 1, sent);
    const second = push(queue, 2, sent);
    expect(sent).toEqual([1]);
    expect(queue.pending).toHaveLength(1);
    answer(queue, 1);
    await first;
    expect(sent).toEqual([1, 2]);
    answer(queue, 2);
    await second;
    expect(queue.pending).toHaveLength(0);
  });

  it('when the broker throttles the client, then a queued request is sent after the throttle ends', async () => {
    const queue = newQueue(5);
    queue.maybeThrottle(50);
    const sent: number[] = [];
    const done = push(queue, 1, sent);
    expect(sent).toEqual([]);
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
    await eventually(() => (sent.length > 0 ? sent : undefined), 'the throttled request to be sent', 2000);
    expect(sent).toEqual([1]);
    answer(queue, 1);
    await done;
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });
});
