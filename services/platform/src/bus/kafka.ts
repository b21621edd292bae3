/**
 * The Kafka adapter (kafkajs 2.2.4). Producer: idempotent, `acks=-1` (all in-sync replicas), one
 * request in flight so retries cannot reorder, batches sent with `sendBatch`. Consumers: one kafkajs
 * consumer per subscription, `eachBatch` with auto-resolve off, so only offsets of records the shared
 * delivery path finished (handled or dead-lettered) are resolved and committed; the dead letter is
 * acknowledged before its offset is resolved. Stopping a kafkajs consumer waits for the batch in hand,
 * which is how `close()` lets in-flight handlers finish.
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
import { backoffDelay } from '../backoff';
import { processRecords } from './delivery';
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

const RESTART_BACKOFF = { baseMs: 1000, maxMs: 30_000 };

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
  private closed: Promise<void> | undefined;

  constructor(config: Omit<KafkaBusConfig, 'adapter'>, deps: BusDeps = {}) {
    this.settings = settingsOf(config);
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
      // As Java's idempotent producer: retry without a count (kafkajs warns on a finite one); the publish
      // timeout bounds how long a caller waits, as delivery.timeout.ms does there.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5000 },
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.admin = this.kafka.admin();
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
    this.state = 'open';
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
      const missing = [...wanted.values()].filter((s) => !existing.has(s.name));
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
    try {
      // low: log start offset (after retention or deletion); high: the high watermark, the next offset to be written.
      const offsets = await this.admin.fetchTopicOffsets(topic);
      return offsets
        .map(({ partition, low, high }) => ({ partition, start: low, end: high }))
        .sort((a, b) => a.partition - b.partition);
    } catch (err) {
      throw toBusError(err, 'BUS.TOPIC_ADMIN_FAILED', `Cannot read the offsets of ${topic}`);
    }
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
    const s = this.settings;
    const consumer = this.kafka.consumer({
      groupId: subscription.group,
      sessionTimeout: s.sessionTimeoutMs,
      heartbeatInterval: s.heartbeatIntervalMs,
      rebalanceTimeout: s.rebalanceTimeoutMs,
      maxWaitTimeInMs: s.maxWaitTimeMs,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 100, retries: 8 },
    });
    const member = new KafkaSubscription(subscription as Subscription, consumer, {
      logger: this.logger,
      observer: this.observer,
      deadLetter: (topic, record) => this.send([{ topic, records: [record] }]),
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
    return member;
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      if (this.state === 'new') {
        this.state = 'closed';
        return;
      }
      this.state = 'closing';
      await Promise.allSettled([...this.subscriptions].map((m) => m.close()));
      this.state = 'closed';
      const results = await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
      for (const r of results) {
        if (r.status === 'rejected')
          this.logger.warn({ err: String(r.reason) }, 'kafka bus disconnect failed');
      }
    })();
    return this.closed;
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
        topic: spec.name,
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
    try {
      await Promise.race([
        this.producer.sendBatch({
          acks: -1,
          topicMessages: batches.map(({ topic, records }) => ({
            topic,
            messages: records.map(toKafkaMessage),
          })),
        }),
        timeout,
      ]);
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

/** What a subscription borrows from its bus. */
interface MemberDeps {
  logger: BusLogger;
  observer: BusObserver;
  deadLetter: (topic: string, record: EncodedRecord) => Promise<void>;
  forget: (member: KafkaSubscription) => void;
}

/** One subscription: a kafkajs consumer in its group, restarted after a crash kafkajs will not recover from. */
class KafkaSubscription implements SubscriptionHandle {
  readonly closing = new AbortController();
  private restartTimer: NodeJS.Timeout | undefined;
  private restarts = 0;
  private closed: Promise<void> | undefined;

  constructor(
    private readonly subscription: Subscription,
    private readonly consumer: Consumer,
    private readonly deps: MemberDeps,
  ) {}

  private get logger(): BusLogger {
    return this.deps.logger;
  }

  async start(): Promise<void> {
    const sub = this.subscription;
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.logger.error(
        { group: sub.group, topics: sub.topics, err: error.message, kafkaRestarts: restart },
        'kafka consumer crashed',
      );
      if (!restart) this.scheduleRestart();
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.restarts = 0;
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: sub.topics, fromBeginning: sub.fromBeginning ?? false });
    await this.run();
    if (sub.signal) {
      const closeOnAbort = () =>
        this.close().catch((err: unknown) =>
          this.logger.warn({ group: sub.group, err: String(err) }, 'kafka consumer did not close cleanly'),
        );
      if (sub.signal.aborted) void closeOnAbort();
      else sub.signal.addEventListener('abort', () => void closeOnAbort(), { once: true });
    }
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing.abort();
      clearTimeout(this.restartTimer);
      // disconnect() stops first: the fetch loop ends, the batch in hand finishes, resolved offsets are committed.
      await this.consumer.disconnect();
      this.deps.forget(this);
    })();
    return this.closed;
  }

  /** Resolves once the member has joined its group (kafkajs' run() awaits join and sync). */
  private run(): Promise<void> {
    return this.consumer.run({
      autoCommit: true,
      // Commit resolved offsets at least every second inside long batches, not only at batch end.
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, this.subscription.concurrency ?? 1),
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const records = batch.messages.map((m): RawRecord => ({
      topic: batch.topic,
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
        // A rebalance error from here propagates: kafkajs commits what was resolved, then rejoins.
        heartbeat: () => payload.heartbeat(),
      },
      records,
      async (record) => {
        payload.resolveOffset(record.offset);
        await payload.commitOffsetsIfNecessary();
        await payload.heartbeat();
      },
    );
  }

  /** kafkajs gave up on a non-retriable error; rejoin after a backoff unless the subscription is closing. */
  private scheduleRestart(): void {
    if (this.closing.signal.aborted) return;
    this.restarts++;
    const delay = backoffDelay(this.restarts, RESTART_BACKOFF);
    this.logger.warn({ group: this.subscription.group, inMs: delay }, 'restarting kafka consumer');
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (this.closing.signal.aborted) return;
      this.consumer
        .connect()
        .then(() => this.run())
        .catch((err: unknown) => {
          this.logger.error(
            { group: this.subscription.group, err: String(err) },
            'kafka consumer restart failed',
          );
          this.scheduleRestart();
        });
    }, delay);
  }
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
  if (entry.level === logLevel.ERROR && entry.namespace !== 'Connection') logger.error(obj, message);
  else if (entry.level === logLevel.WARN) logger.warn(obj, message);
  else logger.info(obj, message);
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
