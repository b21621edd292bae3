export { VALIDATION_TABLES, type ValidationTables } from './tables';
export {
  DEFAULT_RECORD_RETENTION_MS,
  ValidationStore,
  type BatchRead,
  type ValidationStoreOptions,
} from './validation-store';
