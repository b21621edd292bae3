/** The trades service's tables and repositories. */
export * from './tables';
export * from './trade-repository';
export * from './idempotency-repository';
export * from './bulk-job-repository';
