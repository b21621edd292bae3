/** `@tradeflow/validation`: the service's modules and config, for its own main and the all-in-one. */
export { config, validationEnv, type ValidationConfig } from './config';
export {
  VALIDATION_GROUP,
  ValidationModule,
  validationModules,
  type ValidationModulesConfig,
  type ValidationModulesOptions,
} from './module';
export { VALIDATION_TABLES, type ValidationTables } from './store';
export { RULES, type RuleId, type RuleInfo } from './domain';
