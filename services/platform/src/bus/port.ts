/**
 * The bus port: the small async interface every adapter (memory, kafka) implements, the declared
 * capabilities, and the port's error. Domain code depends on this file only, never on an adapter.
 */
import type { Context } from '@opentelemetry/api';
import { AppError } from '../errors';
import type { BackoffOptions } from '../backoff';
import type { BusObserver } from './observer';

/** What an adapter promises; the conformance suite checks each claimed one and the absence of the others. */
export type BusCapability =
  /** Messages with the same key are delivered in publish order. */
  | 'per-key-ordering'
  /** Every consumer group sees every message. */
  | 'consumer-groups'
  /** Inside a group each message goes to one member; partitions are spread over the members. */
  | 'competing-consumers'
  /** A message whose handler keeps failing is moved to `<topic>.dlq` and the partition moves on. */
  | 'dead-letter'
  /** Published messages and committed offsets survive a restart of the process. */
  | 'durable'
  /** A compacted topic keeps at least the latest message of every key. */
  | 'compaction';

/** Every capability name, for checks that iterate over them. */
export const ALL_BUS_CAPABILITIES: readonly BusCapability[] = [
  'per-key-ordering',
  'consumer-groups',
  'competing-consumers',
  'dead-letter',
  'durable',
  'compaction',
];

/** How a topic is created when it is missing (existing topics are left as they are). */
export interface TopicSpec {
  name: string;
  /** Number of partitions; the adapter's default when omitted. */
  partitions?: number;
  /** Keep the latest message per key instead of deleting by age (`cleanup.policy=compact`). */
  compacted?: boolean;
  /** How long messages are kept; the broker's default when omitted. */
  retentionMs?: number;
}

/** A message to publish. It becomes a CloudEvent in Kafka binary mode; `data` must be JSON-serialisable. */
export interface PublishMessage<T = unknown> {
  topic: string;
  /** Partition key: messages with the same key keep their order. */
  key: string;
  /** CloudEvents `type`, e.g. `tradeflow.trades.submitted.v1`. */
  type: string;
  /** The payload; `null` publishes a tombstone (deletes the key from a compacted topic). */
  data: T;
  /** CloudEvents `id`; a random UUID when omitted. Consumers de-duplicate on it. */
  id?: string;
  /** CloudEvents `source`; the bus's configured source when omitted. */
  source?: string;
  subject?: string;
  /** CloudEvents `time` (RFC 3339); now when omitted. */
  time?: string;
  /** Extra headers; the CloudEvents and trace headers are set by the bus and win over these. */
  headers?: Record<string, string>;
  /**
   * Tracing only, never sent: the consumed message this one follows from (the trade an outcome judges). Its
   * PRODUCER span then continues that message's trace instead of the active one, so what a batch handler
   * publishes stays in the trace of the message it answers.
   */
  causedBy?: BusMessage;
  /**
   * Tracing only, never sent: the trace this message continues when it is neither the active one nor a
   * consumed message's, e.g. the request that submitted it when a group commit publishes many requests'
   * messages in one call. `causedBy` wins when both are set.
   */
  traceContext?: Context;
  /** Tracing only, never sent: attributes for the PRODUCER span when it covers this message alone. */
  traceAttributes?: TraceAttributes;
}

/** Span attribute values (OpenTelemetry's `Attributes`, without the SDK). */
export type TraceAttributes = Readonly<Record<string, string | number | boolean | readonly string[]>>;

/** A delivered message: the CloudEvents attributes, the payload and where it came from. */
export interface BusMessage<T = unknown> {
  id: string;
  source: string;
  type: string;
  specversion: string;
  time: string;
  subject: string | undefined;
  data: T;
  key: string;
  topic: string;
  partition: number;
  /** The position in the partition; a decimal string because Kafka offsets are 64-bit. */
  offset: string;
  /** Every header as received, including `ce_*`, `traceparent` and, on a dead letter, `dlq-*`. */
  headers: Readonly<Record<string, string>>;
  /** 1 on first delivery to this member, +1 on each retry. */
  attempt: number;
}

/** Bounded retries inside the consumer before a message is dead-lettered. */
export interface RetryPolicy {
  /** Handler calls per message including the first; after the last failure the message is dead-lettered. */
  maxAttempts: number;
  backoff: BackoffOptions;
}

/** The retry policy a subscription gets when it names none. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  backoff: { baseMs: 200, maxMs: 10_000 },
};

interface SubscriptionBase {
  /** Consumer group: every group sees every message; inside one, each message goes to one member. */
  group: string;
  topics: string[];
  retry?: RetryPolicy;
  /** Where a group without committed offsets starts: the oldest message (true) or only new ones (false, default). */
  fromBeginning?: boolean;
  /** Partitions this member processes at the same time (default 1); one partition is always sequential. */
  concurrency?: number;
  /**
   * Aborting it closes the subscription (as `close()` does): a running handler finishes and, if it succeeds,
   * its message is committed; only a message waiting between retries (or failing now) is left uncommitted.
   */
  signal?: AbortSignal;
}

/** One message at a time; the offset is committed only after it resolves. */
export interface MessageSubscription<T = unknown> extends SubscriptionBase {
  handler: (message: BusMessage<T>) => Promise<void>;
  batchHandler?: never;
}

/**
 * Messages of one partition, in order, up to `maxBatchSize` at a time; all are committed when it resolves.
 * When a batch fails it is split: each message is retried alone under the retry policy, so a poison message
 * is dead-lettered without taking its batch mates with it (handlers must be idempotent anyway). A poison
 * message therefore reaches the handler 1 + `maxAttempts` times: once in its batch, then alone.
 */
export interface BatchSubscription<T = unknown> extends SubscriptionBase {
  batchHandler: (messages: BusMessage<T>[]) => Promise<void>;
  maxBatchSize?: number;
  handler?: never;
}

export type Subscription<T = unknown> = MessageSubscription<T> | BatchSubscription<T>;

/** Where one partition's log starts and ends right now; offsets are decimal strings, as in BusMessage. */
export interface PartitionOffsets {
  partition: number;
  /** Offset of the oldest message still stored: the first one a new group reading from the beginning gets. */
  start: string;
  /** Offset the next published message will get; the partition holds [start, end) and is empty when they match. */
  end: string;
}

/** A running subscription (one member of its group). */
export interface SubscriptionHandle {
  /** Stops new deliveries, lets in-flight handlers finish, commits, leaves the group. Safe to call twice. */
  close(): Promise<void>;
}

/** The bus port. */
export interface Bus {
  /** The adapter's name (`memory`, `kafka`). */
  readonly name: string;
  readonly capabilities: ReadonlySet<BusCapability>;
  /** Connects; call once before anything else. */
  init(): Promise<void>;
  /** Creates the missing topics and their `<topic>.dlq`. Topics first used without it get the default spec. */
  ensureTopics(specs: TopicSpec[]): Promise<void>;
  /**
   * Resolves once the bus has acknowledged the message (Kafka: all in-sync replicas). A retriable rejection
   * (a timeout) does not prove it was not published: retry with the same `id`, which consumers de-duplicate on.
   */
  publish<T>(message: PublishMessage<T>): Promise<void>;
  /** Publishes many messages in as few requests as possible; per-key order follows array order. */
  publishBatch(messages: PublishMessage[]): Promise<void>;
  /**
   * Every partition of `topic` with its start and end offsets at the time of the call (a missing topic is
   * created with the default spec, as on first use). A reader that has handled offset `end - 1` of every
   * non-empty partition has seen everything published before the call: the newest message of a partition is
   * never compacted away, so it is always delivered.
   */
  partitionOffsets(topic: string): Promise<PartitionOffsets[]>;
  /**
   * Resolves once this member has joined its group and fixed where each partition starts (without
   * `fromBeginning`: what is published after it resolves is delivered); rejects if it cannot join.
   */
  subscribe<T = unknown>(subscription: Subscription<T>): Promise<SubscriptionHandle>;
  /** Closes every subscription (in-flight handlers finish), then disconnects; publish rejects afterwards. */
  close(): Promise<void>;
  /**
   * Rejects with a BusError once a subscription can no longer be served (Kafka: a consumer that crashed for
   * good or could not rejoin its group within its restarts); never resolves. A process treats it as fatal:
   * its messages would otherwise silently stop flowing while everything else looks healthy.
   */
  readonly failed: Promise<never>;
}

/** Structural logger (pino fits): the bus logs through it and never imports a logging library. */
export interface BusLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A logger that drops everything. */
export const silentBusLogger: BusLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** What an adapter needs from the process besides its config. */
export interface BusDeps {
  logger?: BusLogger;
  observer?: BusObserver;
}

/** Settings every adapter understands. */
export interface CommonBusConfig {
  /** CloudEvents `source` of published events, e.g. `/tradeflow/trades`. */
  source?: string;
  /** Partitions of a topic created without a spec (first publish or subscribe). */
  defaultPartitions?: number;
}

/** Config of the in-process adapter. */
export interface MemoryBusConfig extends CommonBusConfig {
  adapter: 'memory';
}

/** Config of the Kafka adapter (kafkajs). */
export interface KafkaBusConfig extends CommonBusConfig {
  adapter: 'kafka';
  /** `host:port` of each bootstrap broker. */
  brokers: string[];
  clientId: string;
  /** Replication factor of created topics; -1 uses the broker's default. */
  replicationFactor?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /**
   * How long a publish waits for acknowledgement before it rejects (retriable); the rejection does not mean
   * the message was not written, so retry with the same id.
   */
  publishTimeoutMs?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  /** Longest a fetch waits for new data; bounds how long a consumer takes to stop. */
  maxWaitTimeMs?: number;
  /**
   * Restarts of a crashed consumer (kafkajs gave up on a retriable error) before the bus fails; the count
   * starts again once a member has processed a batch or stayed in its group for a minute.
   */
  consumerRestarts?: number;
  /** Wait before each of those restarts. */
  consumerRestartBackoff?: BackoffOptions;
  /**
   * How often each member's consumer lag (end offset minus the group's committed offset, per partition) is
   * sampled for the observer's `lag`; default 5 s, 0 turns it off. Nothing is sampled for an observer without `lag`.
   */
  lagSampleIntervalMs?: number;
  /**
   * Prefixes every topic and consumer group on the broker (`<namespace>.trades.submitted`, group
   * `<namespace>.validation`), so several environments (test runs) share one Kafka without seeing each other;
   * callers, messages, spans and metrics keep the plain names. Default none.
   */
  namespace?: string;
}

export type BusConfig = MemoryBusConfig | KafkaBusConfig;

/** Suffix of the dead-letter topic of every topic. */
export const DLQ_SUFFIX = '.dlq';

/** The dead-letter topic of `topic`. */
export function deadLetterTopic(topic: string): string {
  return `${topic}${DLQ_SUFFIX}`;
}

export interface BusErrorOptions {
  retriable: boolean;
  cause?: unknown;
  details?: Record<string, unknown>;
}

/** A bus operation failed; `retriable` says whether trying again later can succeed. */
export class BusError extends AppError {
  readonly retriable: boolean;

  constructor(code: string, message: string, options: BusErrorOptions) {
    super(code, message, options.retriable ? 503 : 500, {
      cause: options.cause,
      details: { retriable: options.retriable, ...options.details },
    });
    this.retriable = options.retriable;
  }
}

/** The error of any operation on a bus after `close()`. */
export function busClosedError(name: string): BusError {
  return new BusError('BUS.CLOSED', `The ${name} bus is closed.`, { retriable: false });
}
