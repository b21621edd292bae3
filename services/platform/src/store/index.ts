/** The store: DynamoDB clients, table bootstrap, error translation and batch helpers. */
export * from './client';
export * from './tables';
export * from './store-errors';
export * from './batch';
export {
  itemsWritten,
  noopStoreObserver,
  observeStoreCalls,
  type StoreCallOutcome,
  type StoreObserver,
} from './observer';
