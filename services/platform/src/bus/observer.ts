/**
 * What a bus adapter reports as it works. The metrics module implements it with prom-client
 * counters; the bus itself never imports prom-client.
 */
export interface BusObserver {
  /** `count` messages were acknowledged by the bus on `topic`. */
  published(topic: string, count: number): void;
  /** A handler in `group` finished a message from `topic` successfully. */
  consumed(topic: string, group: string): void;
  /** A handler attempt in `group` threw for a message, or a batch, from `topic` (each failed attempt counts once). */
  failed(topic: string, group: string): void;
  /** A message from `topic` was moved to its dead-letter topic after its last attempt. */
  deadLettered(topic: string, group: string): void;
  /** Optional: a member of `group` now consumes `topic` (so its counters can start at zero). */
  subscribed?(topic: string, group: string): void;
  /**
   * Optional: `messages` on `partition` of `topic` are not yet committed by `group` (sampled periodically by
   * adapters that can tell; without this method they do not sample).
   */
  lag?(topic: string, partition: number, group: string, messages: number): void;
}

/** An observer that records nothing, for tests and tools. */
export const noopBusObserver: BusObserver = {
  published: () => undefined,
  consumed: () => undefined,
  failed: () => undefined,
  deadLettered: () => undefined,
};
