export { VALIDATION_TABLES, type ValidationTables } from './tables';
export { ValidationStore, type StoredOutcome, type ValidationStoreOptions } from './validation-store';
