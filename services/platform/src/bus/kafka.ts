/**
 * The Kafka adapter (kafkajs 2.2.4). Producer: idempotent, `acks=-1` (all in-sync replicas), one
 * request in flight so retries cannot reorder, batches sent with `sendBatch`. Consumers: one kafkajs
 * consumer per subscription, `eachBatch` with auto-resolve off, so only offsets of records the shared
 * delivery path finished (handled or dead-lettered) are resolved and committed; the dead letter is
 * acknowledged before its offset is resolved. Resolved offsets are committed at most every
 * `COMMIT_INTERVAL_MS` (during a batch, or by a timer after it), and at once when the member closes or its
 * group starts rebalancing; kafkajs' own auto-commit would send one commit per batch. `close()` lets the
 * batch in hand finish, commits, then stops the kafkajs consumer.
 *
 * A crashed consumer is restarted a bounded number of times; after that (or at once for a crash that
 * cannot heal) `failed` rejects, so the process stops instead of running on without its consumer.
 *
 * For an observer with `lag`, the admin connection samples the consumer lag of every running
 * subscription's group every `lagSampleIntervalMs`.
 */
import {
  Kafka,
  KafkaJSError,
  logLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type LogEntry,
  type Message,
  type Producer,
} from 'kafkajs';
import { backoffDelay, sleep, type BackoffOptions } from '../backoff';
import { processRecords } from './delivery';
import { fixKafkajsRequestQueue } from './kafkajs-request-queue';
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
  type KafkaBusConfig,
  type PartitionOffsets,
  type PublishMessage,
  type Subscription,
  type SubscriptionHandle,
  type TopicSpec,
} from './port';
import { publishTraced } from './publishing';

// A member that stayed in its group this long since its last (re)join counts as healthy again.
const STABLE_MEMBERSHIP_MS = 60_000;
// Longest a finished record's offset waits for its commit. kafkajs' autoCommit commits after every batch,
// which at a few messages per batch is an OffsetCommit request (and a __consumer_offsets write) per message.
export const COMMIT_INTERVAL_MS = 1000;
// Longest wait between two attempts of a send.
const PRODUCER_MAX_RETRY_MS = 1000;
// kafkajs warns about any retry count on an idempotent producer; ours is bounded on purpose (see above).
const LIMITED_RETRIES_WARNING = 'Limiting retries for the idempotent producer';

// kafkajs 2.2.4 spins a 1 ms timer per broker connection (see kafkajs-request-queue.ts).
fixKafkajsRequestQueue();

/** Producer retries whose waits (100 ms doubling up to 1 s) add up to about `publishTimeoutMs`. */
function retriesWithin(publishTimeoutMs: number): number {
  return Math.max(5, Math.ceil(publishTimeoutMs / PRODUCER_MAX_RETRY_MS) + 4);
}

/** The Kafka adapter's settings with every default filled in. */
type Settings = Required<Omit<KafkaBusConfig, 'adapter'>>;

function settingsOf(config: Omit<KafkaBusConfig, 'adapter'>): Settings {
  return {
    source: '/tradeflow',
    defaultPartitions: 1,
    replicationFactor: -1,
    connectionTimeoutMs: 3000,
    requestTimeoutMs: 30_000,
    publishTimeoutMs: 30_000,
    sessionTimeoutMs: 30_000,
    heartbeatIntervalMs: 3000,
    rebalanceTimeoutMs: 60_000,
    maxWaitTimeMs: 1000,
    consumerRestarts: 5,
    consumerRestartBackoff: { baseMs: 1000, maxMs: 30_000 },
    lagSampleIntervalMs: 5000,
    namespace: '',
    ...definedOnly(config),
    brokers: config.brokers,
    clientId: config.clientId,
  };
}

/** The Kafka adapter. */
export class KafkaBus implements Bus {
  readonly name = 'kafka';
  readonly capabilities: ReadonlySet<BusCapability> = new Set<BusCapability>([
    'per-key-ordering',
    'consumer-groups',
    'competing-consumers',
    'dead-letter',
    'durable',
    'compaction',
  ]);

  private state: 'new' | 'open' | 'closing' | 'closed' = 'new';
  private readonly settings: Settings;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly logger: BusLogger;
  private readonly observer: BusObserver;
  /** Topics known to exist with their dead-letter topic; others are created on first use. */
  private readonly knownTopics = new Set<string>();
  private readonly subscriptions = new Set<KafkaSubscription>();
  /** Sends kafkajs has not settled, including ones whose caller already got a publish timeout. */
  private readonly sending = new Set<Promise<unknown>>();
  private closed: Promise<void> | undefined;
  private lagTimer: NodeJS.Timeout | undefined;
  private lagSample: Promise<void> | undefined;
  /** The last lag sample failed (logged once until one works again). */
  private lagFailing = false;
  private rejectFailed: (err: BusError) => void = () => undefined;
  readonly failed = new Promise<never>((_, reject) => (this.rejectFailed = reject));
  /** A topic's or group's name on the broker: prefixed by the namespace, when there is one. */
  private readonly wire: (name: string) => string;
  /** The name a topic of the broker has for the callers (the namespace taken off). */
  private readonly unwire: (name: string) => string;

  constructor(config: Omit<KafkaBusConfig, 'adapter'>, deps: BusDeps = {}) {
    this.settings = settingsOf(config);
    const prefix = this.settings.namespace === '' ? '' : `${this.settings.namespace}.`;
    this.wire = (name) => prefix + name;
    this.unwire = (name) => (prefix !== '' && name.startsWith(prefix) ? name.slice(prefix.length) : name);
    this.logger = deps.logger ?? silentBusLogger;
    this.observer = deps.observer ?? noopBusObserver;
    this.kafka = new Kafka({
      clientId: this.settings.clientId,
      brokers: this.settings.brokers,
      connectionTimeout: this.settings.connectionTimeoutMs,
      requestTimeout: this.settings.requestTimeoutMs,
      retry: { initialRetryTime: 100, retries: 8 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => forwardKafkaLog(this.logger, entry),
    });
    this.producer = this.kafka.producer({
      idempotent: true,
      // KIP-98: the idempotent producer keeps order across retries only with one request in flight.
      maxInFlightRequests: 1,
      // kafkajs has no delivery timeout (Java's delivery.timeout.ms): a send it retries without a count
      // outlives the caller's publish timeout and even close(), which it undoes by reconnecting, so the
      // process never exits. Retries are budgeted to end about when the publish times out.
      retry: {
        retries: retriesWithin(this.settings.publishTimeoutMs),
        initialRetryTime: 100,
        maxRetryTime: PRODUCER_MAX_RETRY_MS,
      },
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.admin = this.kafka.admin();
    // Whoever awaits `failed` sees the rejection; nobody awaiting it must not make it an unhandled one.
    this.failed.catch(() => undefined);
  }

  async init(): Promise<void> {
    if (this.state === 'open') return;
    if (this.state !== 'new') throw busClosedError(this.name);
    try {
      await this.admin.connect();
      await this.producer.connect();
    } catch (err) {
      await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
      throw toBusError(
        err,
        'BUS.CONNECT_FAILED',
        `Cannot connect to Kafka at ${this.settings.brokers.join(',')}`,
      );
    }
    if (this.state !== 'new') {
      // close() ran while connecting: leave nothing connected behind it.
      await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
      throw busClosedError(this.name);
    }
    this.state = 'open';
    this.scheduleLagSample();
  }

  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    this.assertUsable();
    const wanted = new Map<string, TopicSpec>();
    for (const spec of specs) {
      if (spec.partitions !== undefined && (!Number.isInteger(spec.partitions) || spec.partitions < 1)) {
        throw new BusError(
          'BUS.INVALID_TOPIC',
          `Topic ${spec.name}: partitions must be a positive integer.`,
          {
            retriable: false,
          },
        );
      }
      wanted.set(spec.name, spec);
      if (!spec.name.endsWith(DLQ_SUFFIX) && !wanted.has(deadLetterTopic(spec.name))) {
        const dlq = deadLetterTopic(spec.name);
        wanted.set(dlq, {
          name: dlq,
          ...(spec.partitions === undefined ? {} : { partitions: spec.partitions }),
        });
      }
    }
    try {
      const existing = new Set(await this.admin.listTopics());
      const missing = [...wanted.values()].filter((s) => !existing.has(this.wire(s.name)));
      if (missing.length > 0) await this.createTopics(missing);
    } catch (err) {
      throw toBusError(
        err,
        'BUS.TOPIC_ADMIN_FAILED',
        `Cannot create topics ${[...wanted.keys()].join(', ')}`,
      );
    }
    for (const name of wanted.keys()) this.knownTopics.add(name);
  }

  publish<T>(message: PublishMessage<T>): Promise<void> {
    return this.publishBatch([message]);
  }

  async publishBatch(messages: PublishMessage[]): Promise<void> {
    this.assertUsable();
    if (messages.length === 0) return;
    await this.ensureKnown(messages.map((m) => m.topic));
    await publishTraced('kafka', this.settings.source, this.observer, messages, (byTopic) =>
      this.send([...byTopic].map(([topic, records]) => ({ topic, records }))),
    );
  }

  async partitionOffsets(topic: string): Promise<PartitionOffsets[]> {
    this.assertUsable();
    await this.ensureKnown([topic]);
    // low: log start offset (after retention or deletion); high: the high watermark, the next offset to be written.
    const offsets = await this.retryOffsetRead(
      [topic],
      'BUS.TOPIC_ADMIN_FAILED',
      `Cannot read the offsets of ${topic}`,
      () => this.admin.fetchTopicOffsets(this.wire(topic)),
    );
    return offsets
      .map(({ partition, low, high }) => ({ partition, start: low, end: high }))
      .sort((a, b) => a.partition - b.partition);
  }

  async subscribe<T = unknown>(subscription: Subscription<T>): Promise<SubscriptionHandle> {
    this.assertUsable();
    if (this.state !== 'open') throw busClosedError(this.name);
    if (subscription.topics.length === 0) {
      throw new BusError('BUS.INVALID_SUBSCRIPTION', 'A subscription needs at least one topic.', {
        retriable: false,
      });
    }
    await this.ensureKnown(subscription.topics);
    // close() may have run while the topics were checked; a consumer started now would outlive the bus.
    if (this.state !== 'open') throw busClosedError(this.name);
    const s = this.settings;
    const consumer = this.kafka.consumer({
      groupId: this.wire(subscription.group),
      sessionTimeout: s.sessionTimeoutMs,
      heartbeatInterval: s.heartbeatIntervalMs,
      rebalanceTimeout: s.rebalanceTimeoutMs,
      maxWaitTimeInMs: s.maxWaitTimeMs,
      allowAutoTopicCreation: false,
      // kafkajs would restart a crashed consumer forever; the subscription decides, with a bound.
      retry: { initialRetryTime: 100, retries: 8, restartOnFailure: () => Promise.resolve(false) },
    });
    const member = new KafkaSubscription(subscription as Subscription, consumer, {
      logger: this.logger,
      observer: this.observer,
      restarts: s.consumerRestarts,
      restartBackoff: s.consumerRestartBackoff,
      rebalanceWaitMs: s.rebalanceTimeoutMs + s.sessionTimeoutMs,
      deadLetter: async (topic, record) => {
        // A subscription on a topic nobody ensured (a `.dlq` itself, say) has no dead-letter topic yet.
        await this.ensureKnown([topic]);
        await this.send([{ topic, records: [record] }]);
      },
      uncommittedEnds: (group, topics) => this.uncommittedEnds(group, topics),
      wire: this.wire,
      unwire: this.unwire,
      fail: (err) => this.rejectFailed(err),
      forget: (m) => this.subscriptions.delete(m),
    });
    // Registered before it starts so a bus.close() racing with this subscribe closes it too.
    this.subscriptions.add(member);
    try {
      await member.start();
    } catch (err) {
      await member.close().catch(() => undefined);
      throw toBusError(err, 'BUS.SUBSCRIBE_FAILED', `Cannot subscribe group ${subscription.group}`);
    }
    for (const topic of subscription.topics) this.observer.subscribed?.(topic, subscription.group);
    return member;
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      if (this.state === 'new') {
        this.state = 'closed';
        return;
      }
      this.state = 'closing';
      clearTimeout(this.lagTimer);
      await this.lagSample;
      await Promise.allSettled([...this.subscriptions].map((m) => m.close()));
      this.state = 'closed';
      const results = await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
      for (const r of results) {
        if (r.status === 'rejected')
          this.logger.warn({ err: String(r.reason) }, 'kafka bus disconnect failed');
      }
      // A send still retrying reconnects the producer behind the disconnect; once its retries run out
      // (about the publish timeout) disconnect again, or its sockets keep the process alive for good.
      if (this.sending.size > 0) {
        void Promise.allSettled([...this.sending])
          .then(() => this.producer.disconnect())
          .catch(() => undefined);
      }
    })();
    return this.closed;
  }

  /** Takes the next lag sample after the interval, unless sampling is off or the bus is closing. */
  private scheduleLagSample(): void {
    const interval = this.settings.lagSampleIntervalMs;
    if (interval <= 0 || this.observer.lag === undefined || this.state !== 'open') return;
    this.lagTimer = setTimeout(() => {
      this.lagSample = this.sampleLag().finally(() => {
        this.lagSample = undefined;
        this.scheduleLagSample();
      });
    }, interval);
    // A sample due must not keep a process alive that has nothing else to do.
    this.lagTimer.unref();
  }

  /**
   * Reports the lag of every running subscription's group on every partition of its topics: the end offset
   * minus the committed offset (minus the log start when the group has committed nothing). Two requests per
   * topic and one per group, on the admin connection; a failure is logged once and the metric goes stale.
   */
  private async sampleLag(): Promise<void> {
    const groups = new Map<string, Set<string>>();
    for (const member of this.subscriptions) {
      const running = member.runningGroup();
      if (running === undefined) continue;
      const topics = groups.get(running.group) ?? new Set<string>();
      for (const topic of running.topics) topics.add(topic);
      groups.set(running.group, topics);
    }
    if (groups.size === 0) return;
    try {
      const ends = new Map<string, Map<number, { low: string; high: string }>>();
      for (const topic of new Set([...groups.values()].flatMap((t) => [...t]))) {
        const offsets = await this.admin.fetchTopicOffsets(this.wire(topic));
        ends.set(topic, new Map(offsets.map((o) => [o.partition, o])));
      }
      for (const [group, topics] of groups) {
        const committed = await this.admin.fetchOffsets({
          groupId: this.wire(group),
          topics: [...topics].map(this.wire),
        });
        for (const { topic: wireTopic, partitions } of committed) {
          const topic = this.unwire(wireTopic);
          for (const { partition, offset } of partitions) {
            const end = ends.get(topic)?.get(partition);
            if (end === undefined) continue;
            const from = Number(offset) >= 0 ? Number(offset) : Number(end.low);
            this.observer.lag?.(topic, partition, group, Math.max(0, Number(end.high) - from));
          }
        }
      }
      if (this.lagFailing) this.logger.info({}, 'sampling consumer lag works again');
      this.lagFailing = false;
    } catch (err) {
      if (this.state !== 'open' || this.lagFailing) return;
      this.lagFailing = true;
      this.logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'sampling consumer lag failed; the lag metric stays stale until a sample works',
      );
    }
  }

  /**
   * Where a group without committed offsets would start reading "from now": the end offset of every
   * partition of `topics` that `group` has no committed offset for (empty when all have one).
   */
  private uncommittedEnds(group: string, topics: readonly string[]): Promise<PartitionStart[]> {
    return this.retryOffsetRead(
      topics,
      'BUS.SUBSCRIBE_FAILED',
      `Cannot read the offsets of group ${group}`,
      () => this.readUncommittedEnds(group, topics),
    );
  }

  /**
   * Runs an offset read, retrying retriable errors a few times with fresh metadata: right after a topic
   * is created its leader may not be known yet (NOT_LEADER_FOR_PARTITION).
   */
  private async retryOffsetRead<T>(
    topics: readonly string[],
    code: string,
    what: string,
    read: () => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await read();
      } catch (err) {
        const error = toBusError(err, code, what);
        if (!error.retriable || attempt >= OFFSET_READ_ATTEMPTS) throw error;
        this.logger.warn({ topics, attempt, err: error.message }, 'reading offsets failed; retrying');
        await sleep(backoffDelay(attempt, { baseMs: 200, maxMs: 2000 }));
        await this.admin.fetchTopicMetadata({ topics: topics.map(this.wire) }).catch(() => undefined);
      }
    }
  }

  /** The partitions (broker names: the member pauses and commits them) of `group` with no committed offset. */
  private async readUncommittedEnds(group: string, topics: readonly string[]): Promise<PartitionStart[]> {
    const committed = await this.admin.fetchOffsets({
      groupId: this.wire(group),
      topics: topics.map(this.wire),
    });
    const missing = committed.flatMap(({ topic, partitions }) =>
      partitions.filter((p) => Number(p.offset) < 0).map((p) => ({ topic, partition: p.partition })),
    );
    const ends = new Map<string, Map<number, string>>();
    for (const topic of new Set(missing.map((m) => m.topic))) {
      const offsets = await this.admin.fetchTopicOffsets(topic);
      ends.set(topic, new Map(offsets.map((o) => [o.partition, o.high])));
    }
    return missing.map(({ topic, partition }) => ({
      topic,
      partition,
      offset: ends.get(topic)?.get(partition) ?? '0',
    }));
  }

  private assertUsable(): void {
    if (this.state === 'closed') throw busClosedError(this.name);
    if (this.state === 'new') {
      throw new BusError('BUS.NOT_INITIALISED', 'Call init() on the kafka bus before using it.', {
        retriable: false,
      });
    }
  }

  private async ensureKnown(topics: readonly string[]): Promise<void> {
    const unknown = [...new Set(topics)].filter((t) => !this.knownTopics.has(t));
    if (unknown.length > 0) await this.ensureTopics(unknown.map((name) => ({ name })));
  }

  private async createTopics(specs: TopicSpec[]): Promise<void> {
    const s = this.settings;
    await this.admin.createTopics({
      waitForLeaders: true,
      timeout: s.requestTimeoutMs,
      topics: specs.map((spec) => ({
        topic: this.wire(spec.name),
        numPartitions: spec.partitions ?? s.defaultPartitions,
        replicationFactor: s.replicationFactor,
        configEntries: [
          ...(spec.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : []),
          ...(spec.retentionMs === undefined
            ? []
            : [{ name: 'retention.ms', value: String(spec.retentionMs) }]),
        ],
      })),
    });
  }

  /** One `sendBatch` for every record, bounded by the publish timeout. */
  private async send(batches: { topic: string; records: EncodedRecord[] }[]): Promise<void> {
    if (this.state === 'closed') throw busClosedError(this.name);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new BusError(
              'BUS.PUBLISH_TIMEOUT',
              `Kafka did not acknowledge within ${this.settings.publishTimeoutMs} ms.`,
              {
                retriable: true,
              },
            ),
          ),
        this.settings.publishTimeoutMs,
      );
    });
    const sent = this.producer.sendBatch({
      acks: -1,
      topicMessages: batches.map(({ topic, records }) => ({
        topic: this.wire(topic),
        messages: records.map(toKafkaMessage),
      })),
    });
    this.sending.add(sent);
    void sent.then(
      () => this.sending.delete(sent),
      () => this.sending.delete(sent),
    );
    try {
      await Promise.race([sent, timeout]);
    } catch (err) {
      throw toBusError(
        err,
        'BUS.PUBLISH_FAILED',
        `Cannot publish to ${batches.map((b) => b.topic).join(', ')}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A partition (its topic's name on the broker) and the offset a subscription from now starts it at. */
interface PartitionStart {
  topic: string;
  partition: number;
  offset: string;
}

/** What a subscription borrows from its bus. */
interface MemberDeps {
  logger: BusLogger;
  observer: BusObserver;
  /** Restarts of a crashed consumer before the subscription fails. */
  restarts: number;
  restartBackoff: BackoffOptions;
  /** How long a commit may wait for a rebalance to end. */
  rebalanceWaitMs: number;
  deadLetter: (topic: string, record: EncodedRecord) => Promise<void>;
  uncommittedEnds: (group: string, topics: readonly string[]) => Promise<PartitionStart[]>;
  /** A topic's name on the broker, and back (the bus's namespace). */
  wire: (name: string) => string;
  unwire: (name: string) => string;
  /** The subscription cannot be served any more; the bus reports it through `failed`. */
  fail: (err: BusError) => void;
  forget: (member: KafkaSubscription) => void;
}

/**
 * One subscription: a kafkajs consumer in its group. kafkajs' own restarts are off; a crash it gave up on
 * is restarted here after a backoff when it can heal (a broker away, a rebalance storm), a bounded number
 * of times, and otherwise fails the subscription.
 */
class KafkaSubscription implements SubscriptionHandle {
  readonly closing = new AbortController();
  private phase: 'starting' | 'running' | 'failed' = 'starting';
  /** What crashed the consumer while it was starting; start() reports it. */
  private startFailure: Error | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  /** The restart in progress (connect and rejoin), which close() waits for. */
  private restarting: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  private restarts = 0;
  private joinedAt = 0;
  private closed: Promise<void> | undefined;
  private detachSignal: (() => void) | undefined;
  /** Batches being processed (several with `concurrency` > 1); close() lets them finish before committing. */
  private readonly inHand = new Set<Promise<void>>();
  /** The latest batch's payload: its consumer group commits what the member resolved, outside a batch too. */
  private lastBatch: EachBatchPayload | undefined;
  private commitTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly subscription: Subscription,
    private readonly consumer: Consumer,
    private readonly deps: MemberDeps,
  ) {}

  private get logger(): BusLogger {
    return this.deps.logger;
  }

  /** The group and topics of this member while it runs (for lag sampling); undefined otherwise. */
  runningGroup(): { group: string; topics: readonly string[] } | undefined {
    if (this.phase !== 'running' || this.closing.signal.aborted) return undefined;
    return { group: this.subscription.group, topics: this.subscription.topics };
  }

  /** Resolves once the member has joined its group and knows where each partition starts; rejects if it cannot. */
  start(): Promise<void> {
    this.starting ??= this.startOnce();
    return this.starting;
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing.abort();
      this.detachSignal?.();
      clearTimeout(this.restartTimer);
      clearTimeout(this.commitTimer);
      // A start or restart still joining would otherwise finish after the disconnect and run on.
      await Promise.allSettled([this.starting, this.restarting]);
      // The batches in hand finish (no new record starts once closing), then what they finished is committed
      // while the member is still in its group, so the next member starts right after it.
      await Promise.allSettled([...this.inHand]);
      await this.commitResolved();
      // disconnect() stops the fetch loop and leaves the group.
      await this.consumer.disconnect();
      this.deps.forget(this);
    })();
    return this.closed;
  }

  private async startOnce(): Promise<void> {
    const sub = this.subscription;
    this.consumer.on(this.consumer.events.CRASH, (event) => this.crashed(event.payload.error));
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.joinedAt = Date.now();
    });
    // kafkajs rejoins right after this event; a commit sent first still counts for the generation ending.
    this.consumer.on(this.consumer.events.REBALANCING, () => void this.commitResolved());
    await this.consumer.connect();
    this.assertStarting();
    await this.consumer.subscribe({
      topics: sub.topics.map(this.deps.wire),
      fromBeginning: sub.fromBeginning ?? false,
    });
    // "From now" must mean from this call, for good: kafkajs would only look up the end of a partition
    // without a committed offset at its first fetch (after subscribe resolved) and never commit it, so
    // what was published meanwhile, or while the group was away, would be skipped.
    const starts = sub.fromBeginning ? [] : await this.deps.uncommittedEnds(sub.group, sub.topics);
    this.assertStarting();
    const paused = [...new Set(starts.map((s) => s.topic))].map((topic) => ({ topic }));
    const running = this.run();
    // run() creates its consumer group synchronously, so the pause lands before the first fetch.
    if (paused.length > 0) this.consumer.pause(paused);
    await running;
    this.assertStarting();
    if (starts.length > 0) {
      await this.commitStarts(starts);
      this.assertStarting();
      this.consumer.resume(paused);
    }
    this.phase = 'running';
    if (sub.signal) {
      const closeOnAbort = () =>
        this.close().catch((err: unknown) =>
          this.logger.warn({ group: sub.group, err: String(err) }, 'kafka consumer did not close cleanly'),
        );
      if (sub.signal.aborted) void closeOnAbort();
      else {
        const signal = sub.signal;
        const onAbort = () => void closeOnAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        // The caller's signal may outlive this subscription; close() removes the listener so it is not kept.
        this.detachSignal = () => signal.removeEventListener('abort', onAbort);
      }
    }
  }

  /** Throws what ended the start early: a crash (kafkajs' run() resolves even when the join failed) or close(). */
  private assertStarting(): void {
    if (this.startFailure !== undefined) throw this.startFailure;
    if (this.closing.signal.aborted) throw busClosedError('kafka');
  }

  /**
   * Commits the start offsets of the partitions that still have none, as a member of the group (only
   * a member may commit while the group is active). A rebalance in between is waited out.
   */
  private async commitStarts(starts: readonly PartitionStart[]): Promise<void> {
    const deadline = Date.now() + this.deps.rebalanceWaitMs;
    const key = (p: { topic: string; partition: number }) => `${p.topic}\u0000${p.partition}`;
    for (let attempt = 1; ; attempt++) {
      // Another member may have committed since; only what is still missing, so no commit goes backwards.
      const missing = new Set(
        (await this.deps.uncommittedEnds(this.subscription.group, this.subscription.topics)).map(key),
      );
      const todo = starts.filter((s) => missing.has(key(s)));
      if (todo.length === 0) return;
      try {
        await this.consumer.commitOffsets([...todo]);
        this.assertStarting();
        return;
      } catch (err) {
        this.assertStarting();
        if (!isRebalanceError(err) || Date.now() > deadline) throw err;
        await sleep(backoffDelay(attempt, { baseMs: 100, maxMs: 1000 }), this.closing.signal);
        this.assertStarting();
      }
    }
  }

  /** Resolves once kafkajs has joined the group or crashed trying (it reports both by resolving). */
  private run(): Promise<void> {
    this.lastBatch = undefined;
    return this.consumer.run({
      // Commits are ours (see COMMIT_INTERVAL_MS); the interval is what `commitOffsetsIfNecessary` honours.
      autoCommit: false,
      autoCommitInterval: COMMIT_INTERVAL_MS,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, this.subscription.concurrency ?? 1),
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    this.lastBatch = payload;
    const work = this.processBatch(payload);
    this.inHand.add(work);
    try {
      await work;
    } finally {
      this.inHand.delete(work);
    }
    this.scheduleCommit();
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const topic = this.deps.unwire(batch.topic);
    const records = batch.messages.map((m): RawRecord => ({
      topic,
      partition: batch.partition,
      offset: m.offset,
      key: m.key?.toString('utf8') ?? '',
      value: m.value,
      headers: headersOf(m.headers),
    }));
    await processRecords(
      {
        system: 'kafka',
        subscription: this.subscription,
        observer: this.deps.observer,
        logger: this.logger,
        closing: this.closing.signal,
        isStale: () => !payload.isRunning() || payload.isStale(),
        deadLetter: this.deps.deadLetter,
        // A rebalance error from here propagates (after a commit of what was resolved); kafkajs rejoins.
        heartbeat: () => this.heartbeat(payload),
      },
      records,
      async (record) => {
        payload.resolveOffset(record.offset);
        // Commits only once COMMIT_INTERVAL_MS passed since the last commit.
        await payload.commitOffsetsIfNecessary();
        await this.heartbeat(payload);
      },
    );
    // Progress: whatever crashed this member before has healed.
    this.restarts = 0;
  }

  /** A heartbeat; when the group is rebalancing, what was resolved is committed before the error propagates. */
  private async heartbeat(payload: EachBatchPayload): Promise<void> {
    try {
      await payload.heartbeat();
    } catch (err) {
      if (isRebalanceError(err)) await this.commitResolved(payload);
      throw err;
    }
  }

  /** Commits what is resolved within COMMIT_INTERVAL_MS, unless a batch does it first or nothing waits. */
  private scheduleCommit(): void {
    if (this.commitTimer !== undefined || this.closing.signal.aborted) return;
    const payload = this.lastBatch;
    if (payload === undefined || payload.uncommittedOffsets().topics.length === 0) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      void this.commitResolved(payload);
    }, COMMIT_INTERVAL_MS);
    // A commit due must not keep a process alive that has nothing else to do (close() commits anyway).
    this.commitTimer.unref();
  }

  /**
   * Commits every offset the member resolved and has not committed, through the consumer group of its latest
   * batch while that consumer runs. A failure is logged, not thrown: the offsets are committed later, or their
   * records are delivered again (at least once), which is what a lost kafkajs auto-commit meant as well.
   */
  private async commitResolved(payload = this.lastBatch): Promise<void> {
    if (payload === undefined || !payload.isRunning()) return;
    try {
      const offsets = payload.uncommittedOffsets();
      if (offsets.topics.length > 0) await payload.commitOffsetsIfNecessary(offsets);
    } catch (err) {
      this.logger.warn(
        { group: this.subscription.group, err: err instanceof Error ? err.message : String(err) },
        'committing consumed offsets failed; they are committed later or their records delivered again',
      );
    }
  }

  /** kafkajs stopped the consumer after an error it gave up on (it has disconnected it already). */
  private crashed(error: Error): void {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    this.lastBatch = undefined;
    const sub = this.subscription;
    const retriable = isRetriableCrash(error);
    this.logger.error(
      { group: sub.group, topics: sub.topics, err: error.message, retriable, restarts: this.restarts },
      'kafka consumer crashed',
    );
    if (this.closing.signal.aborted || this.phase === 'failed') return;
    if (this.phase === 'starting') {
      this.startFailure = error;
      return;
    }
    if (this.joinedAt > 0 && Date.now() - this.joinedAt >= STABLE_MEMBERSHIP_MS) this.restarts = 0;
    if (!retriable || this.restarts >= this.deps.restarts) {
      this.phase = 'failed';
      const why = retriable
        ? `gave up after ${this.restarts} restarts`
        : 'crashed on an error that cannot heal';
      this.deps.fail(
        toBusError(
          error,
          'BUS.CONSUMER_FAILED',
          `The consumer of group ${sub.group} (${sub.topics.join(', ')}) ${why}`,
        ),
      );
      return;
    }
    this.scheduleRestart();
  }

  /** Rejoins after a backoff unless the subscription is closing; a failed attempt crashes again, and counts. */
  private scheduleRestart(): void {
    this.restarts++;
    const delay = backoffDelay(this.restarts, this.deps.restartBackoff);
    const group = this.subscription.group;
    this.logger.warn({ group, inMs: delay, restart: this.restarts }, 'restarting kafka consumer');
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (this.closing.signal.aborted) return;
      this.restarting = (async () => {
        try {
          await this.consumer.connect();
          if (this.closing.signal.aborted) return;
          // Resolves on the rejoin, or after reporting a failed one through the crash event.
          await this.run();
        } catch (err) {
          this.crashed(err instanceof Error ? err : new Error(String(err)));
        }
      })();
    }, delay);
  }
}

/** The rebalance errors after which a member rejoins and tries again (kafkajs' own isRebalancing). */
function isRebalanceError(err: unknown): boolean {
  const type = (rootCause(err) as { type?: unknown }).type;
  return (
    type === 'REBALANCE_IN_PROGRESS' ||
    type === 'NOT_COORDINATOR_FOR_GROUP' ||
    type === 'ILLEGAL_GENERATION' ||
    type === 'UNKNOWN_MEMBER_ID'
  );
}

/** Whether a crash may heal on a restart: kafkajs' own rule (retries ran out, or the root cause is retriable). */
function isRetriableCrash(error: Error): boolean {
  if (error.name === 'KafkaJSNumberOfRetriesExceeded') return true;
  return (rootCause(error) as { retriable?: unknown }).retriable === true;
}

function rootCause(err: unknown): unknown {
  let current = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current;
}

function toKafkaMessage(record: EncodedRecord): Message {
  return { key: record.key, value: record.value, headers: record.headers };
}

/** kafkajs headers (Buffers, repeated keys as arrays) as a string map; a repeated header keeps its last value. */
function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) out[name] = value.toString();
  }
  return out;
}

/** How often an offset read is tried before it fails (retriable errors only). */
const OFFSET_READ_ATTEMPTS = 6;

/** A kafkajs error as a BusError; `retriable` comes from the error kafkajs gave up on, as kafkajs itself decides. */
export function toBusError(err: unknown, code: string, what: string): BusError {
  if (err instanceof BusError) return err;
  if (err instanceof KafkaJSError) {
    let original: Error = err;
    while (original instanceof KafkaJSError && original.cause instanceof Error) original = original.cause;
    const retriable = original instanceof KafkaJSError ? original.retriable : err.retriable;
    const type = (original as { type?: unknown }).type;
    return new BusError(code, `${what}: ${err.message}`, {
      retriable,
      cause: err,
      details: { kafkaError: original.name, ...(typeof type === 'string' ? { kafkaErrorType: type } : {}) },
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new BusError(code, `${what}: ${message}`, { retriable: false, cause: err });
}

/**
 * kafkajs' own log lines, at warn and above, into our logger. Its Connection logs every error response
 * (a heartbeat refused during a rebalance, say) at error although the caller retries or reports it, so
 * those become warnings.
 */
function forwardKafkaLog(logger: BusLogger, entry: LogEntry): void {
  const { message, timestamp: _timestamp, logger: _name, ...extra } = entry.log;
  const obj = { component: 'kafkajs', namespace: entry.namespace, ...extra };
  if (message.startsWith(LIMITED_RETRIES_WARNING)) return;
  if (entry.level === logLevel.ERROR && entry.namespace !== 'Connection') logger.error(obj, message);
  else if (entry.level === logLevel.WARN) logger.warn(obj, message);
  else logger.info(obj, message);
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
