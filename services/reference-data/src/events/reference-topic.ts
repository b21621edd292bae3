import { EventTypes, Topics } from '@tradeflow/contracts';
import type { TopicSpec } from '@tradeflow/platform/bus';

/**
 * The reference topic: compacted, so the latest change of every `<kind>:<id>` key is kept forever and a
 * reader starting from the beginning rebuilds the whole state. Partitions follow the bus's default.
 */
export const REFERENCE_CHANGES_TOPIC: TopicSpec = { name: Topics.referenceChanges, compacted: true };

/** CloudEvents `type` of every record on the reference topic. */
export const REFERENCE_CHANGED_EVENT_TYPE = EventTypes.referenceChanged;
