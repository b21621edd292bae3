/** What the all-in-one and other composition roots import from the reference-data service. */
export { config, referenceDataEnv, referenceDataHttpEnv, type ReferenceDataConfig } from './config';
export {
  ReferenceDataModule,
  referenceDataCoreModule,
  referenceDataModules,
  referenceSeedModule,
  type ReferenceDataModulesConfig,
  type ReferenceDataRuntime,
  type ReferenceSeedModuleOptions,
  type ReferenceSeedStatus,
} from './module';
export { loadSeed, type LoadSeedOptions, type SeedLoadResult, type SeedProgress } from './seed/load-seed';
export { DEFAULT_SEED, generateSeed, seedRecords, type SeedData } from './seed/generate';
export * from './seed/fixtures';
export { referenceDataTables } from './store/tables';
export { REFERENCE_CHANGES_TOPIC } from './events/reference-topic';
