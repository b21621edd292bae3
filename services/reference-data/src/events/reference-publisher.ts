import type { Bus, PublishMessage } from '@tradeflow/platform/bus';
import type { ReferenceChange } from '@tradeflow/contracts';
import type { ReferenceRecord } from '../domain/changes';
import { REFERENCE_CHANGED_EVENT_TYPE, REFERENCE_CHANGES_TOPIC } from './reference-topic';

/** How many records one `publishBatch` call carries when publishing many. */
export const DEFAULT_PUBLISH_CHUNK = 500;

/** Publishes reference changes on the compacted reference topic, keyed by `<kind>:<id>`. */
export class ReferencePublisher {
  constructor(
    private readonly bus: Bus,
    private readonly topic: string = REFERENCE_CHANGES_TOPIC.name,
  ) {}

  /** Creates the topic (compacted) when missing. */
  ensureTopic(): Promise<void> {
    return this.bus.ensureTopics([{ ...REFERENCE_CHANGES_TOPIC, name: this.topic }]);
  }

  /** Resolves once the bus acknowledged the change. */
  publish(record: ReferenceRecord): Promise<void> {
    return this.bus.publish(this.message(record));
  }

  /** Publishes in order, `chunkSize` records per call; `onChunk` hears the running total after each. */
  async publishAll(
    records: readonly ReferenceRecord[],
    {
      chunkSize = DEFAULT_PUBLISH_CHUNK,
      onChunk,
    }: { chunkSize?: number; onChunk?: (published: number) => void } = {},
  ): Promise<number> {
    let published = 0;
    for (let start = 0; start < records.length; start += chunkSize) {
      const chunk = records.slice(start, start + chunkSize);
      await this.bus.publishBatch(chunk.map((record) => this.message(record)));
      published += chunk.length;
      onChunk?.(published);
    }
    return published;
  }

  private message(record: ReferenceRecord): PublishMessage<ReferenceChange> {
    return {
      topic: this.topic,
      key: record.key,
      type: REFERENCE_CHANGED_EVENT_TYPE,
      subject: record.key,
      data: record.change,
    };
  }
}
