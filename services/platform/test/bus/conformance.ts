import { getEventListeners } from 'node:events';
/**
 * The one bus conformance suite (dapr components-contrib style): every adapter runs the same cases, one per
 * guarantee of the port. Cases of an optional capability run only when the adapter claims it; what it does
 * not claim is checked in the negative.
 */
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  ALL_BUS_CAPABILITIES,
  BusError,
  CE_HEADERS,
  deadLetterTopic,
  DLQ_HEADERS,
  replayDeadLetters,
  type Bus,
  type BusCapability,
  type BusDeps,
  type BusMessage,
  type BusObserver,
  type PublishMessage,
  type RetryPolicy,
  type Subscription,
  type SubscriptionHandle,
  withMessageTrace,
} from '@tradeflow/platform/bus';

/** What an adapter's runner hands the suite. */
export interface BusConformanceTarget {
  /** What the adapter claims; the suite checks `bus.capabilities` says the same. */
  capabilities: readonly BusCapability[];
  /** A new, initialised bus; several may be open at once, like separate processes. */
  createBus(deps: BusDeps): Promise<Bus>;
  /** Longest wait for an expected delivery (Kafka needs longer than memory). */
  waitMs: number;
  /** Per-case timeout. */
  testTimeoutMs: number;
  /** Quiet time after which a dead-letter replay decides the dead-letter topic is drained. */
  replayIdleMs: number;
  /** Removes what the run left behind: every topic and group whose name starts with `prefix`. */
  cleanup?(prefix: string): Promise<void>;
  /** How the broker holds a topic (partition count and topic configs), for adapters backed by one. */
  describeTopic?(name: string): Promise<{ partitions: number; config: Record<string, string> }>;
}

/** Guarantees the platform relies on: every adapter must claim these. */
const REQUIRED: readonly BusCapability[] = [
  'per-key-ordering',
  'consumer-groups',
  'competing-consumers',
  'dead-letter',
];

const EVENT_TYPE = 'tradeflow.conformance.tested.v1';

interface Payload {
  key: string;
  seq: number;
}

/** Retries fast enough to keep the suite quick, without jitter so attempt timing is predictable. */
function fastRetry(maxAttempts: number): RetryPolicy {
  return { maxAttempts, backoff: { baseMs: 5, maxMs: 20, jitter: 0 } };
}

/** Counts what the bus reports, to check the observer calls. */
class RecordingObserver implements BusObserver {
  readonly calls: string[] = [];
  published(topic: string, count: number): void {
    this.calls.push(`published ${topic} ${count}`);
  }
  consumed(topic: string, group: string): void {
    this.calls.push(`consumed ${topic} ${group}`);
  }
  failed(topic: string, group: string): void {
    this.calls.push(`failed ${topic} ${group}`);
  }
  deadLettered(topic: string, group: string): void {
    this.calls.push(`deadLettered ${topic} ${group}`);
  }
  count(call: string): number {
    return this.calls.filter((c) => c === call).length;
  }
}

/** A promise with its resolve exposed, to hold a handler until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Registers the suite for one adapter. */
export function runBusConformance(name: string, target: BusConformanceTarget): void {
  const claims = new Set(target.capabilities);
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  let counter = 0;
  const prefix = `conformance.${runId}.`;
  const unique = (label: string) => `${prefix}${label}.${++counter}`;

  describe(`bus conformance: ${name}`, () => {
    let bus: Bus;
    const observer = new RecordingObserver();
    const exporter = new InMemorySpanExporter();
    const contextManager = new AsyncLocalStorageContextManager();
    let handles: SubscriptionHandle[] = [];
    let extraBuses: Bus[] = [];

    const subscribe = async <T = Payload>(
      sub: Subscription<T>,
      on: Bus = bus,
    ): Promise<SubscriptionHandle> => {
      const handle = await on.subscribe(sub);
      handles.push(handle);
      return handle;
    };
    const newBus = async (): Promise<Bus> => {
      const b = await target.createBus({});
      extraBuses.push(b);
      return b;
    };
    const topicWith = async (label: string, partitions: number, on: Bus = bus): Promise<string> => {
      const topic = unique(label);
      await on.ensureTopics([{ name: topic, partitions }]);
      return topic;
    };
    const message = (topic: string, key: string, seq: number): PublishMessage<Payload> => ({
      topic,
      key,
      type: EVENT_TYPE,
      data: { key, seq },
    });
    /** `count` messages with ids `<prefix>-<i>`, keyed by `keyOf(i)`, carrying sequence numbers from `firstSeq`. */
    const numbered = (
      topic: string,
      prefix: string,
      count: number,
      keyOf: (i: number) => string = (i) => `k${i}`,
      firstSeq = 0,
    ): (PublishMessage<Payload> & { id: string })[] =>
      Array.from({ length: count }, (_, i) => ({
        ...message(topic, keyOf(i), firstSeq + i),
        id: `${prefix}-${i}`,
      }));
    /** Polls `done` until it holds; fails naming `what` when the adapter's wait budget runs out. */
    const waitFor = async (what: string, done: () => boolean): Promise<void> => {
      const deadline = Date.now() + target.waitMs;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${target.waitMs} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const it_ = (title: string, fn: () => Promise<void>) => it(title, fn, target.testTimeoutMs);
    /** A case that runs only when the adapter claims `capability`. */
    const claimed = (capability: BusCapability, title: string, fn: () => Promise<void>) => {
      if (claims.has(capability)) it_(`[${capability}] ${title}`, fn);
    };
    /** A case that runs only when the adapter does not claim `capability`. */
    const notClaimed = (capability: BusCapability, title: string, fn: () => Promise<void>) => {
      if (!claims.has(capability)) it_(`[not ${capability}] ${title}`, fn);
    };

    beforeAll(async () => {
      contextManager.enable();
      context.setGlobalContextManager(contextManager);
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      trace.setGlobalTracerProvider(
        new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
      );
      bus = await target.createBus({ observer });
    }, target.testTimeoutMs);

    afterEach(async () => {
      await Promise.allSettled(handles.map((h) => h.close()));
      await Promise.allSettled(extraBuses.map((b) => b.close()));
      handles = [];
      extraBuses = [];
    }, target.testTimeoutMs);

    afterAll(async () => {
      await bus.close();
      await target.cleanup?.(prefix);
      trace.disable();
      propagation.disable();
      context.disable();
    }, target.testTimeoutMs);

    it_(
      'when asked for its capabilities, then it declares what it was registered with, every required one included',
      async () => {
        expect([...bus.capabilities].sort()).toEqual([...claims].sort());
        for (const capability of REQUIRED) expect(bus.capabilities.has(capability)).toBe(true);
        for (const capability of bus.capabilities) expect(ALL_BUS_CAPABILITIES).toContain(capability);
        await Promise.resolve();
      },
    );

    it_(
      'when a topic is created with N partitions, then keyed messages spread over exactly those N',
      async () => {
        const topic = await topicWith('partitions', 3);
        await bus.ensureTopics([{ name: topic, partitions: 3 }]); // a second call is harmless
        const partitions = new Set<number>();
        let received = 0;
        await subscribe({
          group: unique('g'),
          topics: [topic],
          fromBeginning: true,
          handler: async (m) => {
            partitions.add(m.partition);
            received++;
            await Promise.resolve();
          },
        });
        await bus.publishBatch(Array.from({ length: 30 }, (_, i) => message(topic, `key-${i}`, i)));
        await waitFor('30 messages', () => received === 30);
        expect([...partitions].sort()).toEqual([0, 1, 2]);
      },
    );

    claimed(
      'per-key-ordering',
      'when messages share a key, then they are handled in publish order',
      async () => {
        const topic = await topicWith('order', 3);
        const seen = new Map<string, number[]>();
        const keys = ['acc-1', 'acc-2', 'acc-3', 'acc-4'];
        await subscribe<Payload>({
          group: unique('g'),
          topics: [topic],
          fromBeginning: true,
          concurrency: 3,
          handler: async (m) => {
            // Uneven handler times would expose any reordering inside a partition.
            await new Promise((resolve) => setTimeout(resolve, m.data.seq % 3));
            seen.set(m.data.key, [...(seen.get(m.data.key) ?? []), m.data.seq]);
          },
        });
        for (let seq = 0; seq < 15; seq++)
          for (const key of keys) await bus.publish(message(topic, key, seq));
        await waitFor('60 messages', () => [...seen.values()].flat().length === 60);
        const expected = Array.from({ length: 15 }, (_, i) => i);
        for (const key of keys) expect(seen.get(key)).toEqual(expected);
      },
    );

    claimed('consumer-groups', 'when two groups subscribe, then each sees every message', async () => {
      const topic = await topicWith('fanout', 2);
      const groups = [unique('g'), unique('g')];
      const seen = new Map<string, Set<string>>(groups.map((g) => [g, new Set()]));
      for (const group of groups) {
        await subscribe({
          group,
          topics: [topic],
          fromBeginning: true,
          handler: async (m) => {
            seen.get(group)?.add(m.id);
            await Promise.resolve();
          },
        });
      }
      const messages = numbered(topic, 'fan', 20, (i) => `k${i % 5}`);
      await bus.publishBatch(messages);
      const ids = messages.map((m) => m.id).sort();
      await waitFor('both groups', () => groups.every((g) => seen.get(g)?.size === 20));
      for (const group of groups) expect([...(seen.get(group) ?? [])].sort()).toEqual(ids);
    });

    claimed(
      'competing-consumers',
      'when two members share a group, then each message goes to one of them and both get partitions',
      async () => {
        const topic = await topicWith('compete', 4);
        const group = unique('g');
        const byMember = [new Map<string, number>(), new Map<string, number>()];
        for (const seen of byMember) {
          await subscribe({
            group,
            topics: [topic],
            fromBeginning: true,
            handler: async (m) => {
              seen.set(m.id, m.partition);
              await Promise.resolve();
            },
          });
        }
        const messages = numbered(topic, 'c', 40, (i) => `key-${i}`);
        await bus.publishBatch(messages);
        await waitFor(
          '40 messages',
          () => new Set([...byMember[0]!.keys(), ...byMember[1]!.keys()]).size === 40,
        );
        const [a, b] = byMember as [Map<string, number>, Map<string, number>];
        expect([...a.keys()].filter((id) => b.has(id))).toEqual([]);
        expect(a.size).toBeGreaterThan(0);
        expect(b.size).toBeGreaterThan(0);
        const partitionsOfA = new Set(a.values());
        expect([...b.values()].filter((p) => partitionsOfA.has(p))).toEqual([]);
      },
    );

    it_(
      'when a handler throws once, then the message is redelivered before the next one of its key',
      async () => {
        const topic = await topicWith('redeliver', 1);
        const group = unique('g');
        const log: string[] = [];
        await subscribe<Payload>({
          group,
          topics: [topic],
          fromBeginning: true,
          retry: fastRetry(3),
          handler: async (m) => {
            log.push(`${m.data.seq}@${m.attempt}`);
            await Promise.resolve();
            if (m.data.seq === 1 && m.attempt === 1) throw new Error('transient');
          },
        });
        await bus.publishBatch([0, 1, 2].map((seq) => message(topic, 'k', seq)));
        await waitFor('three messages', () => log.includes('2@1'));
        expect(log).toEqual(['0@1', '1@1', '1@2', '2@1']);
        expect(observer.count(`failed ${topic} ${group}`)).toBe(1);
        expect(observer.count(`consumed ${topic} ${group}`)).toBe(3);
      },
    );

    claimed(
      'dead-letter',
      'when a handler keeps throwing, then after N attempts the message is dead-lettered with its error and the next one is handled',
      async () => {
        const topic = await topicWith('poison', 1);
        const group = unique('g');
        const attempts: number[] = [];
        const handled: number[] = [];
        await subscribe<Payload>({
          group,
          topics: [topic],
          fromBeginning: true,
          retry: fastRetry(3),
          handler: async (m) => {
            await Promise.resolve();
            if (m.data.seq === 0) {
              attempts.push(m.attempt);
              throw new Error('cannot process seq 0');
            }
            handled.push(m.data.seq);
          },
        });
        const letters: BusMessage<Payload>[] = [];
        await subscribe<Payload>({
          group: unique('dlq-reader'),
          topics: [deadLetterTopic(topic)],
          fromBeginning: true,
          handler: async (m) => {
            letters.push(m);
            await Promise.resolve();
          },
        });
        const poison = { ...message(topic, 'k', 0), id: 'poison-1', headers: { 'x-origin': 'conformance' } };
        await bus.publishBatch([poison, message(topic, 'k', 1)]);
        await waitFor('the next message', () => handled.includes(1));
        await waitFor('the dead letter', () => letters.length === 1);
        expect(attempts).toEqual([1, 2, 3]);

        const letter = letters[0] as BusMessage<Payload>;
        expect(letter).toMatchObject({
          id: 'poison-1',
          key: 'k',
          type: EVENT_TYPE,
          data: { key: 'k', seq: 0 },
        });
        expect(letter.topic).toBe(deadLetterTopic(topic));
        expect(letter.headers).toMatchObject({
          [CE_HEADERS.id]: 'poison-1',
          'x-origin': 'conformance',
          [DLQ_HEADERS.errorMessage]: 'cannot process seq 0',
          [DLQ_HEADERS.attempts]: '3',
          [DLQ_HEADERS.group]: group,
          [DLQ_HEADERS.originalTopic]: topic,
          [DLQ_HEADERS.originalPartition]: '0',
          [DLQ_HEADERS.originalOffset]: '0',
        });
        expect(observer.count(`deadLettered ${topic} ${group}`)).toBe(1);
        expect(observer.count(`failed ${topic} ${group}`)).toBe(3);

        // The partition is not stuck: later messages keep flowing.
        await bus.publish(message(topic, 'k', 2));
        await waitFor('a later message', () => handled.includes(2));
      },
    );

    claimed(
      'dead-letter',
      'when one message of a batch keeps failing, then only that one is dead-lettered and its batch mates are handled',
      async () => {
        const topic = await topicWith('batch-poison', 1);
        const handled = new Set<number>();
        const letters: number[] = [];
        await bus.publishBatch(Array.from({ length: 10 }, (_, seq) => message(topic, 'k', seq)));
        await subscribe<Payload>({
          group: unique('g'),
          topics: [topic],
          fromBeginning: true,
          retry: fastRetry(2),
          maxBatchSize: 10,
          batchHandler: async (batch) => {
            await Promise.resolve();
            if (batch.some((m) => m.data.seq === 4)) throw new Error('seq 4 is poison');
            for (const m of batch) handled.add(m.data.seq);
          },
        });
        await subscribe<Payload>({
          group: unique('dlq-reader'),
          topics: [deadLetterTopic(topic)],
          fromBeginning: true,
          handler: async (m) => {
            letters.push(m.data.seq);
            await Promise.resolve();
          },
        });
        await waitFor('nine handled and one dead letter', () => handled.size === 9 && letters.length === 1);
        expect([...handled].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]);
        expect(letters).toEqual([4]);
      },
    );

    it_(
      'when a member closes mid-stream and another joins the group, then no message is lost or skipped',
      async () => {
        const topic = await topicWith('restart', 2);
        const group = unique('g');
        const first = new Set<string>();
        const second = new Set<string>();
        const handlerOf =
          (seen: Set<string>) =>
          async (m: BusMessage<Payload>): Promise<void> => {
            await new Promise((resolve) => setTimeout(resolve, 2));
            seen.add(m.id);
          };
        const messages = numbered(topic, 'r', 60, (i) => `k${i % 6}`);
        await bus.publishBatch(messages);
        const a = await subscribe({ group, topics: [topic], fromBeginning: true, handler: handlerOf(first) });
        await waitFor('the first member to be mid-stream', () => first.size >= 15);
        await a.close();
        expect(first.size).toBeLessThan(60);
        await subscribe({ group, topics: [topic], fromBeginning: true, handler: handlerOf(second) });
        await waitFor('every message', () => new Set([...first, ...second]).size === 60);
        expect(second.size).toBeGreaterThan(0);
        // A graceful close commits what was handled, so the next member starts right after it.
        expect([...second].filter((id) => first.has(id))).toEqual([]);
      },
    );

    it_(
      'when a subscription closes during a handler, then close waits for it, commits it and delivers nothing new',
      async () => {
        const topic = await topicWith('close-sub', 1);
        const group = unique('g');
        const events: string[] = [];
        const hold = gate();
        let started = false;
        const a = await subscribe<Payload>({
          group,
          topics: [topic],
          fromBeginning: true,
          handler: async (m) => {
            events.push(`a handles ${m.data.seq}`);
            started = true;
            await hold.promise;
            events.push(`a finished ${m.data.seq}`);
          },
        });
        await bus.publishBatch([0, 1].map((seq) => message(topic, 'k', seq)));
        await waitFor('the handler to start', () => started);
        const closed = a.close().then(() => events.push('a closed'));
        // Give a wrong close the chance to finish early before the handler is released.
        await new Promise((resolve) => setTimeout(resolve, 100));
        hold.open();
        await closed;
        expect(events).toEqual(['a handles 0', 'a finished 0', 'a closed']);

        await subscribe<Payload>({
          group,
          topics: [topic],
          fromBeginning: true,
          handler: async (m) => {
            events.push(`b handles ${m.data.seq}`);
            await Promise.resolve();
          },
        });
        await waitFor('the second member', () => events.includes('b handles 1'));
        expect(events).toEqual(['a handles 0', 'a finished 0', 'a closed', 'b handles 1']);
      },
    );

    it_('when a topic has no messages, then every partition reports the same start and end', async () => {
      const topic = await topicWith('offsets-empty', 3);
      const offsets = await bus.partitionOffsets(topic);
      expect(offsets.map((o) => o.partition)).toEqual([0, 1, 2]);
      for (const o of offsets) expect(o.end).toBe(o.start);
    });

    it_(
      'when offsets are asked of a topic nobody created, then it is created and reported empty',
      async () => {
        const topic = unique('offsets-missing');
        const offsets = await bus.partitionOffsets(topic);
        expect(offsets.length).toBeGreaterThanOrEqual(1);
        for (const o of offsets) expect(o.end).toBe(o.start);
        await expect(bus.publish(message(topic, 'k', 0))).resolves.toBeUndefined();
      },
    );

    it_(
      'when messages were published, then the end offsets count them and each partition ends at its last delivered offset plus one',
      async () => {
        const topic = await topicWith('offsets-end', 3);
        await bus.publishBatch(Array.from({ length: 30 }, (_, seq) => message(topic, `k${seq % 7}`, seq)));
        const offsets = await bus.partitionOffsets(topic);
        expect(offsets.reduce((sum, o) => sum + Number(o.end) - Number(o.start), 0)).toBe(30);
        const last = new Map<number, number>();
        let received = 0;
        await subscribe({
          group: unique('g'),
          topics: [topic],
          fromBeginning: true,
          handler: async (m) => {
            received++;
            last.set(m.partition, Math.max(last.get(m.partition) ?? -1, Number(m.offset)));
            await Promise.resolve();
          },
        });
        await waitFor('30 messages', () => received === 30);
        for (const o of offsets) {
          if (o.end === o.start) expect(last.has(o.partition)).toBe(false);
          else expect(last.get(o.partition)).toBe(Number(o.end) - 1);
        }
        // A later publish moves the end of its partition only.
        await bus.publish(message(topic, 'k0', 30));
        const after = await bus.partitionOffsets(topic);
        const moved = after.filter((o, i) => o.end !== offsets[i]?.end);
        expect(moved).toHaveLength(1);
        expect(Number(moved[0]?.end)).toBe(Number(offsets[moved[0]?.partition ?? -1]?.end) + 1);
      },
    );

    it_(
      'when the bus closes, then in-flight handlers finish first and publish and subscribe reject',
      async () => {
        const other = await newBus();
        const topic = await topicWith('close-bus', 1, other);
        const events: string[] = [];
        const hold = gate();
        await other.subscribe<Payload>({
          group: unique('g'),
          topics: [topic],
          fromBeginning: true,
          handler: async () => {
            events.push('handler started');
            await hold.promise;
            events.push('handler finished');
          },
        });
        await other.publish(message(topic, 'k', 0));
        await waitFor('the handler to start', () => events.length === 1);
        const closed = other.close().then(() => events.push('bus closed'));
        await new Promise((resolve) => setTimeout(resolve, 100));
        hold.open();
        await closed;
        expect(events).toEqual(['handler started', 'handler finished', 'bus closed']);

        const publishing = other.publish(message(topic, 'k', 1));
        await expect(publishing).rejects.toBeInstanceOf(BusError);
        await expect(publishing).rejects.toMatchObject({ code: 'BUS.CLOSED', retriable: false });
        await expect(
          other.subscribe({ group: unique('g'), topics: [topic], handler: () => Promise.resolve() }),
        ).rejects.toMatchObject({ code: 'BUS.CLOSED' });
        await expect(other.partitionOffsets(topic)).rejects.toMatchObject({ code: 'BUS.CLOSED' });
        await expect(other.close()).resolves.toBeUndefined();
      },
    );

    it_(
      'when a batch is published across topics and keys, then every message arrives in key order',
      async () => {
        const topics = [await topicWith('batch-a', 2), await topicWith('batch-b', 2)];
        const seen = new Map<string, number[]>();
        await subscribe<Payload>({
          group: unique('g'),
          topics,
          fromBeginning: true,
          handler: async (m) => {
            const stream = `${m.topic}/${m.key}`;
            seen.set(stream, [...(seen.get(stream) ?? []), m.data.seq]);
            await Promise.resolve();
          },
        });
        const batch = Array.from({ length: 40 }, (_, seq) =>
          message(topics[seq % 2] as string, `k${seq % 3}`, seq),
        );
        await bus.publishBatch(batch);
        await bus.publishBatch([]);
        await waitFor('40 messages', () => [...seen.values()].flat().length === 40);
        for (const [stream, seqs] of seen) {
          const expected = batch.filter((m) => `${m.topic}/${m.key}` === stream).map((m) => m.data.seq);
          expect(seqs).toEqual(expected);
        }
      },
    );

    it_(
      'when a subscription takes batches, then each batch holds consecutive messages of one partition',
      async () => {
        const topic = await topicWith('batch-handler', 2);
        const batches: BusMessage<Payload>[][] = [];
        await bus.publishBatch(Array.from({ length: 50 }, (_, seq) => message(topic, `k${seq % 7}`, seq)));
        await subscribe<Payload>({
          group: unique('g'),
          topics: [topic],
          fromBeginning: true,
          maxBatchSize: 10,
          batchHandler: async (messages) => {
            batches.push(messages);
            await Promise.resolve();
          },
        });
        await waitFor('50 messages', () => batches.flat().length === 50);
        for (const b of batches) {
          expect(b.length).toBeLessThanOrEqual(10);
          expect(new Set(b.map((m) => m.partition)).size).toBe(1);
          const offsets = b.map((m) => Number(m.offset));
          expect(offsets).toEqual(offsets.map((_, i) => (offsets[0] as number) + i));
        }
        expect(Math.max(...batches.map((b) => b.length))).toBeGreaterThan(1);
      },
    );

    it_(
      'when a batch holds messages of several traces, then each keeps its own trace through the consumer and what is published for it',
      async () => {
        const topic = await topicWith('batch-traces', 1);
        const out = await topicWith('batch-traces-out', 1);
        const tracer = trace.getTracer('conformance');
        // Five requests, five traces; published before anyone consumes, so they arrive in batches.
        const traceOf = new Map<string, string>();
        for (let seq = 0; seq < 5; seq++) {
          await tracer.startActiveSpan(`request-${seq}`, async (root) => {
            await bus.publish({ ...message(topic, 'k', seq), id: `trace-${seq}` });
            root.end();
            traceOf.set(`trace-${seq}`, root.spanContext().traceId);
          });
        }
        const handlerTraces = new Map<string, string | undefined>();
        let largest: BusMessage<Payload>[] = [];
        await subscribe<Payload>({
          group: unique('g'),
          topics: [topic],
          fromBeginning: true,
          maxBatchSize: 10,
          batchHandler: async (messages) => {
            if (messages.length > largest.length) largest = messages;
            for (const m of messages) {
              withMessageTrace(m, () =>
                handlerTraces.set(m.id, trace.getActiveSpan()?.spanContext().traceId),
              );
            }
            await bus.publishBatch(
              messages.map((m) => ({ ...message(out, m.key, m.data.seq), id: `out-${m.id}`, causedBy: m })),
            );
          },
        });
        await waitFor('five messages handled', () => handlerTraces.size === 5);
        // Consumer spans end once the handler has returned.
        await waitFor('every message span ended', () => {
          const ended = exporter.getFinishedSpans().filter((s) => s.name === `${topic} process`);
          return [...traceOf.values()].every((t) => ended.some((s) => s.spanContext().traceId === t));
        });

        expect(largest.length).toBeGreaterThan(1);
        const spans = exporter.getFinishedSpans();
        for (const [id, traceId] of traceOf) {
          expect(handlerTraces.get(id)).toBe(traceId);
          const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
          const producer = inTrace.find((s) => s.name === `${topic} publish`);
          const consumer = inTrace.find((s) => s.name === `${topic} process`);
          const reply = inTrace.find((s) => s.name === `${out} publish`);
          expect(producer?.kind).toBe(SpanKind.PRODUCER);
          expect(consumer?.kind).toBe(SpanKind.CONSUMER);
          expect(consumer?.parentSpanContext?.spanId).toBe(producer?.spanContext().spanId);
          expect(consumer?.attributes['messaging.message.id']).toBe(id);
          expect(reply?.kind).toBe(SpanKind.PRODUCER);
          expect(reply?.parentSpanContext?.spanId).toBe(consumer?.spanContext().spanId);
        }
        // The batch as a whole: one more CONSUMER span, in a trace of its own, linked to each message's producer.
        const batchSpan = spans.find(
          (s) =>
            s.name === `${topic} process` && s.attributes['messaging.batch.message_count'] === largest.length,
        );
        expect(batchSpan?.kind).toBe(SpanKind.CONSUMER);
        expect(batchSpan?.links.map((l) => l.context.traceId).sort()).toEqual(
          largest.map((m) => traceOf.get(m.id)).sort(),
        );
        expect([...traceOf.values()]).not.toContain(batchSpan?.spanContext().traceId);
      },
    );

    it_(
      'when one publishBatch carries messages of several requests as traceContext, then each message continues its own request trace',
      async () => {
        const topic = await topicWith('group-commit-traces', 1);
        const tracer = trace.getTracer('conformance');
        // Three requests whose messages a group commit publishes together, outside their contexts.
        const requests = [0, 1, 2].map((seq) => {
          const span = tracer.startSpan(`request-${seq}`);
          return { seq, span, context: trace.setSpan(context.active(), span) };
        });
        await bus.publishBatch(
          requests.map((r) => ({
            ...message(topic, 'k', r.seq),
            id: `group-${r.seq}`,
            traceContext: r.context,
          })),
        );
        for (const r of requests) r.span.end();
        const received: BusMessage<Payload>[] = [];
        await subscribe<Payload>({
          group: unique('g'),
          topics: [topic],
          fromBeginning: true,
          handler: (m) => {
            received.push(m);
            return Promise.resolve();
          },
        });
        await waitFor('three messages', () => received.length === 3);

        const producers = exporter.getFinishedSpans().filter((s) => s.name === `${topic} publish`);
        for (const r of requests) {
          const m = received.find((x) => x.id === `group-${r.seq}`);
          const traceId = r.span.spanContext().traceId;
          expect(m?.headers.traceparent).toContain(traceId);
          const producer = producers.find((s) => s.spanContext().traceId === traceId);
          expect(producer?.parentSpanContext?.spanId).toBe(r.span.spanContext().spanId);
        }
      },
    );

    it_('when an event is published, then it arrives as a CloudEvent with its trace context', async () => {
      const topic = await topicWith('cloudevents', 1);
      const group = unique('g');
      let received: BusMessage<Payload> | undefined;
      let handlerTraceId: string | undefined;
      await subscribe<Payload>({
        group,
        topics: [topic],
        fromBeginning: true,
        handler: async (m) => {
          handlerTraceId = trace.getActiveSpan()?.spanContext().traceId;
          received = m;
          await Promise.resolve();
        },
      });
      const tracer = trace.getTracer('conformance');
      const rootTraceId = await tracer.startActiveSpan('request', async (root) => {
        await bus.publish({
          ...message(topic, 'acc-9', 1),
          id: 'evt-1',
          source: '/tradeflow/conformance',
          subject: 'trade-1',
          time: '2026-01-02T03:04:05.000Z',
          headers: { 'x-tenant': 't1' },
        });
        root.end();
        return root.spanContext().traceId;
      });
      await waitFor('the event', () => received !== undefined);
      const m = received as BusMessage<Payload>;
      expect(m).toMatchObject({
        id: 'evt-1',
        source: '/tradeflow/conformance',
        type: EVENT_TYPE,
        specversion: '1.0',
        subject: 'trade-1',
        time: '2026-01-02T03:04:05.000Z',
        key: 'acc-9',
        topic,
        data: { key: 'acc-9', seq: 1 },
        attempt: 1,
      });
      expect(m.headers).toMatchObject({
        ce_id: 'evt-1',
        ce_source: '/tradeflow/conformance',
        ce_type: EVENT_TYPE,
        ce_specversion: '1.0',
        ce_time: '2026-01-02T03:04:05.000Z',
        ce_subject: 'trade-1',
        'content-type': 'application/json',
        'x-tenant': 't1',
      });
      expect(m.headers['traceparent']).toMatch(new RegExp(`^00-${rootTraceId}-[0-9a-f]{16}-01$`));
      expect(handlerTraceId).toBe(rootTraceId);

      const spans = exporter.getFinishedSpans();
      const producer = spans.find((s) => s.name === `${topic} publish`);
      const consumer = spans.find((s) => s.name === `${topic} process`);
      expect(producer?.kind).toBe(SpanKind.PRODUCER);
      expect(consumer?.kind).toBe(SpanKind.CONSUMER);
      expect(consumer?.parentSpanContext?.spanId).toBe(producer?.spanContext().spanId);
      expect(m.headers['traceparent']).toContain(producer?.spanContext().spanId);
      expect(producer?.attributes).toMatchObject({
        'messaging.system': bus.name,
        'messaging.destination.name': topic,
        'messaging.operation.type': 'send',
        'messaging.message.id': 'evt-1',
        'messaging.kafka.message.key': 'acc-9',
      });
      expect(consumer?.attributes).toMatchObject({
        'messaging.system': bus.name,
        'messaging.destination.name': topic,
        'messaging.operation.type': 'process',
        'messaging.consumer.group.name': group,
        'messaging.message.id': 'evt-1',
        'messaging.kafka.message.key': 'acc-9',
      });
    });

    claimed(
      'dead-letter',
      'when dead letters are replayed, then they return to their topic once',
      async () => {
        const topic = await topicWith('replay', 1);
        let healthy = false;
        const handled: BusMessage<Payload>[] = [];
        await subscribe<Payload>({
          group: unique('g'),
          topics: [topic],
          fromBeginning: true,
          retry: fastRetry(2),
          handler: async (m) => {
            await Promise.resolve();
            if (!healthy) throw new Error('downstream is down');
            handled.push(m);
          },
        });
        const letters: string[] = [];
        await subscribe<Payload>({
          group: unique('dlq-reader'),
          topics: [deadLetterTopic(topic)],
          fromBeginning: true,
          handler: async (m) => {
            letters.push(m.id);
            await Promise.resolve();
          },
        });
        await bus.publishBatch([1, 2].map((seq) => ({ ...message(topic, 'k', seq), id: `replay-${seq}` })));
        await waitFor('two dead letters', () => letters.length === 2);

        healthy = true;
        const group = unique('replayer');
        await expect(replayDeadLetters(bus, topic, { group, idleMs: target.replayIdleMs })).resolves.toBe(2);
        await waitFor('the replayed messages', () => handled.length === 2);
        expect(handled.map((m) => m.id)).toEqual(['replay-1', 'replay-2']);
        expect(handled.map((m) => m.data.seq)).toEqual([1, 2]);
        for (const m of handled) {
          expect(Object.keys(m.headers).filter((h) => h.startsWith('dlq-'))).toEqual([]);
        }
        await expect(replayDeadLetters(bus, topic, { group, idleMs: target.replayIdleMs })).resolves.toBe(0);
      },
    );

    claimed(
      'dead-letter',
      'when replayed letters fail again, then the replay ends after the letters that were there when it started',
      async () => {
        const topic = await topicWith('replay-again', 2);
        const failing = unique('g');
        await subscribe<Payload>({
          group: failing,
          topics: [topic],
          fromBeginning: true,
          retry: fastRetry(1),
          handler: () => Promise.reject(new Error('still down')),
        });
        await bus.publishBatch(
          [1, 2, 3].map((seq) => ({ ...message(topic, `k${seq}`, seq), id: `again-${seq}` })),
        );
        await waitFor('three dead letters', () => observer.count(`deadLettered ${topic} ${failing}`) === 3);

        // Each replayed message fails at once and is dead-lettered again, behind the replay's back.
        const replayer = unique('replayer');
        await expect(
          replayDeadLetters(bus, topic, { group: replayer, idleMs: target.replayIdleMs }),
        ).resolves.toBe(3);
        await waitFor(
          'the second round of letters',
          () => observer.count(`deadLettered ${topic} ${failing}`) === 6,
        );
        // The next replay picks up exactly those.
        await expect(
          replayDeadLetters(bus, topic, { group: replayer, idleMs: target.replayIdleMs }),
        ).resolves.toBe(3);
      },
    );

    claimed(
      'durable',
      'when a new bus instance starts, then it reads what a closed one published',
      async () => {
        const first = await newBus();
        const topic = await topicWith('durable', 1, first);
        await first.publish({ ...message(topic, 'k', 1), id: 'durable-1' });
        await first.close();
        const ids: string[] = [];
        await subscribe({
          group: unique('g'),
          topics: [topic],
          fromBeginning: true,
          handler: async (m) => {
            ids.push(m.id);
            await Promise.resolve();
          },
        });
        await waitFor('the earlier message', () => ids.length === 1);
        expect(ids).toEqual(['durable-1']);
      },
    );

    notClaimed(
      'durable',
      'when a new bus instance starts, then nothing of a closed one remains',
      async () => {
        const first = await newBus();
        const topic = await topicWith('volatile', 1, first);
        await first.publish({ ...message(topic, 'k', 1), id: 'gone-1' });
        await first.close();
        const second = await newBus();
        const ids: string[] = [];
        await subscribe(
          {
            group: unique('g'),
            topics: [topic],
            fromBeginning: true,
            handler: async (m) => {
              ids.push(m.id);
              await Promise.resolve();
            },
          },
          second,
        );
        await second.publish({ ...message(topic, 'k', 2), id: 'marker-2' });
        await waitFor('the marker', () => ids.includes('marker-2'));
        expect(ids).toEqual(['marker-2']);
      },
    );

    claimed(
      'compaction',
      'when a compacted topic is read from the start, then the latest value of every key is there',
      async () => {
        const topic = unique('compacted');
        await bus.ensureTopics([{ name: topic, partitions: 1, compacted: true }]);
        await bus.publishBatch([
          { topic, key: 'instrument:AAPL', type: EVENT_TYPE, data: { v: 1 } },
          { topic, key: 'instrument:MSFT', type: EVENT_TYPE, data: { v: 1 } },
          { topic, key: 'instrument:AAPL', type: EVENT_TYPE, data: { v: 2 } },
          { topic, key: 'instrument:MSFT', type: EVENT_TYPE, data: null },
        ]);
        const latest = new Map<string, unknown>();
        let count = 0;
        await subscribe<{ v: number } | null>({
          group: unique('g'),
          topics: [topic],
          fromBeginning: true,
          handler: async (m) => {
            latest.set(m.key, m.data);
            count++;
            await Promise.resolve();
          },
        });
        await waitFor('the last tombstone', () => count >= 2 && latest.get('instrument:MSFT') === null);
        expect(Object.fromEntries(latest)).toEqual({ 'instrument:AAPL': { v: 2 }, 'instrument:MSFT': null });
        // Reading the latest value back proves nothing about compaction: ask the broker how it keeps the topic.
        if (target.describeTopic) {
          const compacted = await target.describeTopic(topic);
          expect(compacted.config['cleanup.policy']).toBe('compact');
          // Its dead letters are not a table of latest values: they are kept, not compacted.
          const dlq = await target.describeTopic(deadLetterTopic(topic));
          expect(dlq.config['cleanup.policy']).toBe('delete');
          expect(dlq.partitions).toBe(1);
        }
      },
    );

    notClaimed(
      'compaction',
      'when a compacted topic is asked for, then it refuses instead of ignoring it',
      async () => {
        await expect(
          bus.ensureTopics([{ name: unique('compacted'), compacted: true }]),
        ).rejects.toBeInstanceOf(BusError);
      },
    );

    it_(
      'when a group subscribes from now, then it gets every message published once subscribe resolved and none from before',
      async () => {
        const topic = await topicWith('from-now', 3);
        await bus.publishBatch(numbered(topic, 'old', 9));
        const ids: string[] = [];
        await subscribe({
          group: unique('g'),
          topics: [topic],
          handler: async (m) => {
            ids.push(m.id);
            await Promise.resolve();
          },
        });
        // Right away, and one by one: the first lands while the member may still be looking up its start.
        const fresh = numbered(topic, 'new', 9, (i) => `k${i}`, 100);
        for (const m of fresh) await bus.publish(m);
        await waitFor('the new messages', () => fresh.every((m) => ids.includes(m.id)));
        expect([...ids].sort()).toEqual(fresh.map((m) => m.id).sort());
      },
    );

    it_(
      'when two members of a new group subscribe from now at once, then every message published afterwards is handled once',
      async () => {
        const topic = await topicWith('from-now-pair', 4);
        const group = unique('g');
        const seen: string[] = [];
        const handler = async (m: BusMessage) => {
          seen.push(m.id);
          await Promise.resolve();
        };
        // Joining together makes the group rebalance while each member sets up where it starts.
        await Promise.all([
          subscribe({ group, topics: [topic], handler }),
          subscribe({ group, topics: [topic], handler }),
        ]);
        const messages = numbered(topic, 'pair', 40, (i) => `key-${i}`);
        await bus.publishBatch(messages);
        await waitFor('40 messages', () => new Set(seen).size === 40);
        expect([...seen].sort()).toEqual(messages.map((m) => m.id).sort());
      },
    );

    it_(
      'when a group that subscribed from now is away, then on its return it gets what was published meanwhile',
      async () => {
        const topic = await topicWith('from-now-away', 2);
        const group = unique('g');
        const first = await subscribe({ group, topics: [topic], handler: () => Promise.resolve() });
        await first.close();
        const meanwhile = numbered(topic, 'away', 6);
        await bus.publishBatch(meanwhile);
        const ids: string[] = [];
        await subscribe({
          group,
          topics: [topic],
          handler: async (m) => {
            ids.push(m.id);
            await Promise.resolve();
          },
        });
        await waitFor('what was published meanwhile', () => ids.length >= meanwhile.length);
        expect([...ids].sort()).toEqual(meanwhile.map((m) => m.id).sort());
      },
    );

    it_(
      'when a subscription closes while a message waits for its retry, then the next member gets it and nothing is dead-lettered',
      async () => {
        const topic = await topicWith('close-retry', 1);
        const group = unique('g');
        const letters: string[] = [];
        await subscribe({
          group: unique('dlq-reader'),
          topics: [deadLetterTopic(topic)],
          fromBeginning: true,
          handler: async (m) => {
            letters.push(m.id);
            await Promise.resolve();
          },
        });
        let failures = 0;
        const a = await subscribe({
          group,
          topics: [topic],
          fromBeginning: true,
          // Long enough that the close lands while it waits, short of the suite's patience.
          retry: { maxAttempts: 2, backoff: { baseMs: 60_000, maxMs: 60_000, jitter: 0 } },
          handler: async () => {
            failures++;
            await Promise.resolve();
            throw new Error('downstream is down');
          },
        });
        await bus.publish({ ...message(topic, 'k', 1), id: 'retry-1' });
        await waitFor('the first failure', () => failures === 1);
        await a.close();
        const handled: BusMessage<Payload>[] = [];
        await subscribe<Payload>({
          group,
          topics: [topic],
          fromBeginning: true,
          handler: async (m) => {
            handled.push(m);
            await Promise.resolve();
          },
        });
        await waitFor('the redelivery', () => handled.length === 1);
        expect(handled[0]).toMatchObject({ id: 'retry-1', attempt: 1 });
        expect(failures).toBe(1);
        expect(letters).toEqual([]);
      },
    );

    it_(
      "when a subscription's signal aborts, then it closes: the group's other member takes over its partitions",
      async () => {
        const topic = await topicWith('signal', 2);
        const group = unique('g');
        const stop = new AbortController();
        const byA: string[] = [];
        const byB: string[] = [];
        const record = (seen: string[]) => async (m: BusMessage) => {
          seen.push(m.id);
          await Promise.resolve();
        };
        await subscribe({
          group,
          topics: [topic],
          fromBeginning: true,
          signal: stop.signal,
          handler: record(byA),
        });
        await subscribe({ group, topics: [topic], fromBeginning: true, handler: record(byB) });
        stop.abort();
        // The abort closes A in the background; once it is out of the group, a whole round reaches B.
        const deadline = Date.now() + target.waitMs;
        let sentAfterAbort: string[] = [];
        for (let round = 1; ; round++) {
          const next = numbered(topic, `s${round}`, 8);
          sentAfterAbort = next.map((m) => m.id);
          await bus.publishBatch(next);
          const roundEnds = Date.now() + 1000;
          const reachedB = () => sentAfterAbort.every((id) => byB.includes(id));
          while (!reachedB() && Date.now() < roundEnds)
            await new Promise((resolve) => setTimeout(resolve, 10));
          if (reachedB()) break;
          if (Date.now() > deadline) throw new Error('the aborted member kept its partitions');
        }
        expect(byA.filter((id) => sentAfterAbort.includes(id))).toEqual([]);
      },
    );

    it_(
      'when a subscription with a long-lived signal is closed, then it no longer listens on that signal',
      async () => {
        const topic = await topicWith('signal-listener', 1);
        const lifetime = new AbortController();
        const handle = await subscribe({
          group: unique('g'),
          topics: [topic],
          signal: lifetime.signal,
          handler: () => Promise.resolve(),
        });
        expect(getEventListeners(lifetime.signal, 'abort')).toHaveLength(1);
        await handle.close();
        expect(getEventListeners(lifetime.signal, 'abort')).toHaveLength(0);
      },
    );

    it_(
      'when concurrency is 2, then two partitions are handled at the same time but one partition never is',
      async () => {
        const topic = await topicWith('concurrency', 2);
        const partitionOf = new Map<string, number>();
        const busy = new Map<number, number>();
        let overlapInPartition = false;
        let maxAtOnce = 0;
        const release = gate();
        let handled = 0;
        await subscribe({
          group: unique('g'),
          topics: [topic],
          fromBeginning: true,
          concurrency: 2,
          handler: async (m) => {
            partitionOf.set(m.key, m.partition);
            busy.set(m.partition, (busy.get(m.partition) ?? 0) + 1);
            if ((busy.get(m.partition) ?? 0) > 1) overlapInPartition = true;
            maxAtOnce = Math.max(
              maxAtOnce,
              [...busy.values()].reduce((a, b) => a + b, 0),
            );
            await release.promise;
            busy.set(m.partition, (busy.get(m.partition) ?? 0) - 1);
            handled++;
          },
        });
        const messages = Array.from({ length: 12 }, (_, i) => message(topic, `key-${i}`, i));
        await bus.publishBatch(messages);
        // Both partitions hold messages (checked below), so both handlers must be in flight together.
        await waitFor('a handler in each partition', () => busy.size === 2 && maxAtOnce === 2);
        release.open();
        await waitFor('every message', () => handled === messages.length);
        expect(new Set(partitionOf.values()).size).toBe(2);
        expect(overlapInPartition).toBe(false);
        expect(maxAtOnce).toBe(2);
      },
    );

    claimed(
      'dead-letter',
      'when a dead-letter topic is read and its handler keeps failing, then the letter moves on to its own dead-letter topic',
      async () => {
        const topic = await topicWith('dlq-of-dlq', 1);
        const dlq = deadLetterTopic(topic);
        const failing = unique('dlq-failing');
        await subscribe({
          group: failing,
          topics: [dlq],
          fromBeginning: true,
          retry: fastRetry(1),
          handler: () => Promise.reject(new Error('cannot repair it either')),
        });
        await subscribe({
          group: unique('g'),
          topics: [topic],
          fromBeginning: true,
          retry: fastRetry(1),
          handler: () => Promise.reject(new Error('poison')),
        });
        await bus.publish({ ...message(topic, 'k', 1), id: 'twice-dead' });
        // Nobody has used `<dlq>.dlq` yet: the bus must create it rather than wait for it forever.
        await waitFor('the second dead letter', () => observer.count(`deadLettered ${dlq} ${failing}`) === 1);
        const further: BusMessage[] = [];
        await subscribe({
          group: unique('dlq-dlq-reader'),
          topics: [deadLetterTopic(dlq)],
          fromBeginning: true,
          handler: async (m) => {
            further.push(m);
            await Promise.resolve();
          },
        });
        await waitFor('the letter in the second dead-letter topic', () => further.length === 1);
        expect(further[0]).toMatchObject({
          id: 'twice-dead',
          headers: {
            [DLQ_HEADERS.originalTopic]: dlq,
            [DLQ_HEADERS.errorMessage]: 'cannot repair it either',
          },
        });
      },
    );

    it_('when a message or subscription is malformed, then the bus refuses it with a BusError', async () => {
      const topic = await topicWith('malformed', 1);
      await expect(bus.publish({ topic, key: 'k', type: '', data: undefined })).rejects.toMatchObject({
        code: 'BUS.INVALID_MESSAGE',
        retriable: false,
      });
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      for (const data of [circular, { amount: 1n }]) {
        await expect(bus.publish({ topic, key: 'k', type: 't', data })).rejects.toMatchObject({
          code: 'BUS.INVALID_MESSAGE',
          retriable: false,
        });
      }
      await expect(
        bus.subscribe({ group: unique('g'), topics: [], handler: () => Promise.resolve() }),
      ).rejects.toMatchObject({ code: 'BUS.INVALID_SUBSCRIPTION' });
    });
  });
}
