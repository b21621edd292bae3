/**
 * `@tradeflow/reference-data/cache`: the in-memory reference data every service reads, rebuilt from the
 * reference topic. No express, no AWS SDK: only the bus port and the contracts.
 */
export {
  ReferenceCache,
  ReferenceCacheClosedError,
  type CatchUpProgress,
  type ReferenceCacheOptions,
  type ReferenceChangeListener,
} from './reference-cache';
export {
  DEFAULT_CATCH_UP_DEADLINE_MS,
  referenceCacheModule,
  type ReferenceCacheModuleOptions,
} from './module';
export { REFERENCE_CHANGED_EVENT_TYPE, REFERENCE_CHANGES_TOPIC } from '../events/reference-topic';
