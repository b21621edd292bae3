/** Modules with dependencies and a lifecycle, the manager that runs them and the process runner. */
export {
  ModuleFailedError,
  type InitContext,
  type Liveness,
  type ModuleDefinition,
  type ModulePhase,
  type ModuleService,
  type ModuleState,
  type ModuleReadiness,
} from './module';
export { ModuleManager, type ModuleManagerOptions } from './module-manager';
export { ALL_TARGET, parseTargets, resolveModules } from './resolve-modules';
export { runProcess, type ProcessEvents, type RunningProcess, type RunProcessOptions } from './runner';
