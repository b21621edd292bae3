/**
 * The in-process bus for the all-in-one shape and fast tests. It keeps Kafka's model so code behaves the
 * same on both: topics split into partitions by key hash, one append-only log per partition, committed
 * offsets per consumer group, partitions spread over a group's members (rebalanced as they join and
 * leave), one record at a time per partition, and the shared retry/dead-letter path. Nothing survives
 * the process, so it does not claim 'durable'.
 */
import { backoffDelay, sleep } from '../backoff';
import { processRecords, type DeliveryContext } from './delivery';
import type { EncodedRecord, RawRecord } from './envelope';
import { noopBusObserver, type BusObserver } from './observer';
import {
  busClosedError,
  BusError,
  deadLetterTopic,
  DLQ_SUFFIX,
  silentBusLogger,
  type Bus,
  type BusCapability,
  type BusDeps,
  type BusLogger,
  type MemoryBusConfig,
  type PartitionOffsets,
  type PublishMessage,
  type Subscription,
  type SubscriptionHandle,
  type TopicSpec,
} from './port';
import { publishTraced } from './publishing';

// Records taken from a partition per turn, so a rebalance is noticed between turns.
const TURN_SIZE = 100;
const LOOP_ERROR_BACKOFF = { baseMs: 50, maxMs: 2000 };

/** A deterministic 32-bit FNV-1a hash: the same key always lands in the same partition. */
export function partitionFor(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

/** A promise that can be resolved from outside, to park a loop until something happens. */
class Wakeup {
  private waiters: (() => void)[] = [];

  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

interface TopicLog {
  spec: TopicSpec;
  partitions: EncodedRecord[][];
}

/** Where one group stands in one partition, and the loop that delivers from there. */
class Cursor {
  readonly wakeup = new Wakeup();

  constructor(
    readonly group: Group,
    readonly topic: string,
    readonly partition: number,
    public committed: number,
  ) {}
}

class Group {
  /** In join order; partition p of a topic goes to the (p mod n)-th live member subscribed to it. */
  readonly members: Member[] = [];
  readonly cursors = new Map<string, Cursor>();

  constructor(readonly name: string) {}

  ownerOf(topic: string, partition: number): Member | undefined {
    const live = this.members.filter((m) => !m.closing.signal.aborted && m.topics.has(topic));
    return live.length === 0 ? undefined : live[partition % live.length];
  }

  wakeAll(): void {
    for (const cursor of this.cursors.values()) cursor.wakeup.wake();
  }
}

/** One subscription: a member of its group. */
class Member implements SubscriptionHandle {
  readonly closing = new AbortController();
  readonly topics: ReadonlySet<string>;
  private inFlight = 0;
  private readonly idle = new Wakeup();
  private readonly slotWaiters: (() => void)[] = [];
  private closed: Promise<void> | undefined;
  detachSignal: (() => void) | undefined;

  constructor(
    readonly subscription: Subscription,
    private readonly leave: (member: Member) => void,
  ) {
    this.topics = new Set(subscription.topics);
  }

  /** Waits for one of the member's `concurrency` slots (partitions processed at once), first come first served. */
  async acquire(): Promise<void> {
    const limit = Math.max(1, this.subscription.concurrency ?? 1);
    // Queue behind earlier waiters even when a slot looks free, so a partition that releases and
    // re-acquires at once cannot overtake one that has been waiting (that starved quiet partitions).
    if (this.inFlight < limit && this.slotWaiters.length === 0) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
  }

  /** Frees a slot: hands it straight to the longest waiter, if any, without ever counting it free. */
  release(): void {
    const next = this.slotWaiters.shift();
    if (next) {
      next();
      return;
    }
    this.inFlight--;
    if (this.inFlight === 0) this.idle.wake();
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing.abort();
      this.detachSignal?.();
      while (this.inFlight > 0) await this.idle.wait();
      this.leave(this);
    })();
    return this.closed;
  }
}

/** The in-process adapter. */
export class MemoryBus implements Bus {
  readonly name = 'memory';
  readonly capabilities: ReadonlySet<BusCapability> = new Set<BusCapability>([
    'per-key-ordering',
    'consumer-groups',
    'competing-consumers',
    'dead-letter',
    'compaction',
  ]);

  private state: 'open' | 'closing' | 'closed' = 'open';
  private readonly topics = new Map<string, TopicLog>();
  private readonly groups = new Map<string, Group>();
  private readonly members = new Set<Member>();
  private readonly source: string;
  private readonly defaultPartitions: number;
  private readonly logger: BusLogger;
  private readonly observer: BusObserver;
  private closed: Promise<void> | undefined;
  private rejectFailed: (err: BusError) => void = () => undefined;
  readonly failed = new Promise<never>((_, reject) => (this.rejectFailed = reject));

  constructor(config: Omit<MemoryBusConfig, 'adapter'> = {}, deps: BusDeps = {}) {
    this.source = config.source ?? '/tradeflow';
    this.defaultPartitions = config.defaultPartitions ?? 1;
    this.logger = deps.logger ?? silentBusLogger;
    this.observer = deps.observer ?? noopBusObserver;
    // Whoever awaits `failed` sees the rejection; nobody awaiting it must not make it an unhandled one.
    this.failed.catch(() => undefined);
  }

  init(): Promise<void> {
    return this.state === 'closed' ? Promise.reject(busClosedError(this.name)) : Promise.resolve();
  }

  ensureTopics(specs: TopicSpec[]): Promise<void> {
    if (this.state === 'closed') return Promise.reject(busClosedError(this.name));
    for (const spec of specs) this.topicLog(spec.name, spec);
    return Promise.resolve();
  }

  publish<T>(message: PublishMessage<T>): Promise<void> {
    return this.publishBatch([message]);
  }

  async publishBatch(messages: PublishMessage[]): Promise<void> {
    if (this.state === 'closed') throw busClosedError(this.name);
    await publishTraced('memory', this.source, this.observer, messages, (byTopic) => {
      for (const [topic, records] of byTopic) for (const record of records) this.append(topic, record);
      return Promise.resolve();
    });
  }

  partitionOffsets(topic: string): Promise<PartitionOffsets[]> {
    if (this.state === 'closed') return Promise.reject(busClosedError(this.name));
    // Nothing is ever removed from a memory log, so every partition starts at 0.
    const offsets = this.topicLog(topic).partitions.map((log, partition) => ({
      partition,
      start: '0',
      end: String(log.length),
    }));
    return Promise.resolve(offsets);
  }

  subscribe<T = unknown>(subscription: Subscription<T>): Promise<SubscriptionHandle> {
    if (this.state !== 'open') return Promise.reject(busClosedError(this.name));
    if (subscription.topics.length === 0) {
      return Promise.reject(
        new BusError('BUS.INVALID_SUBSCRIPTION', 'A subscription needs at least one topic.', {
          retriable: false,
        }),
      );
    }
    const sub = subscription as Subscription;
    let group = this.groups.get(sub.group);
    if (!group) {
      group = new Group(sub.group);
      this.groups.set(sub.group, group);
    }
    const member = new Member(sub, (m) => this.leave(m));
    this.members.add(member);
    group.members.push(member);
    for (const topic of sub.topics) {
      const log = this.topicLog(topic);
      for (let p = 0; p < log.partitions.length; p++)
        this.cursorFor(group, topic, p, sub.fromBeginning ?? false);
    }
    group.wakeAll();
    for (const topic of sub.topics) this.observer.subscribed?.(topic, sub.group);
    if (sub.signal) {
      if (sub.signal.aborted) void member.close();
      else {
        const signal = sub.signal;
        const onAbort = () => void member.close();
        signal.addEventListener('abort', onAbort, { once: true });
        // The caller's signal may outlive this subscription; close() removes the listener so it is not kept.
        member.detachSignal = () => signal.removeEventListener('abort', onAbort);
      }
    }
    return Promise.resolve(member);
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.state = 'closing';
      await Promise.all([...this.members].map((m) => m.close()));
      this.state = 'closed';
      for (const group of this.groups.values()) group.wakeAll();
    })();
    return this.closed;
  }

  private topicLog(name: string, spec?: TopicSpec): TopicLog {
    let log = this.topics.get(name);
    if (log) return log;
    if (spec?.partitions !== undefined && (!Number.isInteger(spec.partitions) || spec.partitions < 1)) {
      throw new BusError('BUS.INVALID_TOPIC', `Topic ${name}: partitions must be a positive integer.`, {
        retriable: false,
      });
    }
    const partitions = spec?.partitions ?? this.defaultPartitions;
    log = { spec: { ...spec, name, partitions }, partitions: Array.from({ length: partitions }, () => []) };
    this.topics.set(name, log);
    // The dead-letter topic mirrors its source, as the Kafka adapter creates them together.
    if (!name.endsWith(DLQ_SUFFIX))
      this.topicLog(deadLetterTopic(name), { name: deadLetterTopic(name), partitions });
    return log;
  }

  private append(topic: string, record: EncodedRecord): void {
    const log = this.topicLog(topic);
    const partition = partitionFor(record.key, log.partitions.length);
    // Copy so the stored record is independent of the caller's objects, as bytes on a broker are.
    const stored: EncodedRecord = {
      key: record.key,
      value: record.value === null ? null : Buffer.from(record.value),
      headers: { ...record.headers },
    };
    (log.partitions[partition] as EncodedRecord[]).push(stored);
    for (const group of this.groups.values()) group.cursors.get(cursorKey(topic, partition))?.wakeup.wake();
  }

  private cursorFor(group: Group, topic: string, partition: number, fromBeginning: boolean): void {
    const key = cursorKey(topic, partition);
    if (group.cursors.has(key)) return;
    const end = this.topicLog(topic).partitions[partition]?.length ?? 0;
    const cursor = new Cursor(group, topic, partition, fromBeginning ? 0 : end);
    group.cursors.set(key, cursor);
    this.runCursor(cursor).catch((err: unknown) => {
      this.logger.error(
        { topic, partition, group: group.name, err: String(err) },
        'memory bus partition loop died',
      );
      // Nothing delivers this partition to the group any more: fatal, not a log line nobody reads.
      this.rejectFailed(
        new BusError(
          'BUS.CONSUMER_FAILED',
          `Delivery of ${topic}/${partition} to group ${group.name} stopped.`,
          {
            retriable: false,
            cause: err,
          },
        ),
      );
    });
  }

  /** Delivers one partition to whichever member of the group owns it, one turn at a time, until the bus closes. */
  private async runCursor(cursor: Cursor): Promise<void> {
    const { group, topic, partition } = cursor;
    const log = this.topicLog(topic).partitions[partition] as EncodedRecord[];
    let failures = 0;
    while (this.state !== 'closed') {
      const owner = group.ownerOf(topic, partition);
      if (!owner || cursor.committed >= log.length) {
        await cursor.wakeup.wait();
        continue;
      }
      await owner.acquire();
      try {
        if (group.ownerOf(topic, partition) !== owner) continue;
        const records = log
          .slice(cursor.committed, cursor.committed + TURN_SIZE)
          .map((r, i): RawRecord => ({ ...r, topic, partition, offset: String(cursor.committed + i) }));
        await processRecords(this.deliveryContext(owner, cursor), records, (record) => {
          cursor.committed = Number(record.offset) + 1;
        });
        failures = 0;
      } catch (err) {
        // Only a failed dead-letter write lands here; the record stays uncommitted and is tried again.
        failures++;
        this.logger.error(
          { topic, partition, group: group.name, err: String(err) },
          'memory bus delivery failed',
        );
        // Closing cuts the backoff short, so close() is not held up by it.
        await sleep(backoffDelay(failures, LOOP_ERROR_BACKOFF), owner.closing.signal).catch(() => undefined);
      } finally {
        owner.release();
      }
      // Handlers that never wait on I/O would otherwise keep this loop in microtasks, starving timers and sockets.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private deliveryContext(owner: Member, cursor: Cursor): DeliveryContext {
    return {
      system: 'memory',
      subscription: owner.subscription,
      observer: this.observer,
      logger: this.logger,
      closing: owner.closing.signal,
      isStale: () => cursor.group.ownerOf(cursor.topic, cursor.partition) !== owner,
      deadLetter: (topic, record) => {
        this.append(topic, record);
        return Promise.resolve();
      },
    };
  }

  private leave(member: Member): void {
    this.members.delete(member);
    const group = this.groups.get(member.subscription.group);
    if (!group) return;
    const index = group.members.indexOf(member);
    if (index >= 0) group.members.splice(index, 1);
    group.wakeAll();
  }
}

function cursorKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
