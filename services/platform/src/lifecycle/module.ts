/** What a module is: a name, its dependencies and an init that returns a service with a lifecycle. */
import type { Logger } from 'pino';
import { AppError } from '../errors';

/** new → starting → running → stopping → terminated, or failed from starting, running or stopping. */
export type ModuleState = 'new' | 'starting' | 'running' | 'stopping' | 'terminated' | 'failed';

/** What init returns. Every member is optional: a module may only provide a value (a client, a config). */
export interface ModuleService<T = unknown> {
  /** What dependants get from `ctx.get(name)`. */
  value?: T;
  /** Brings the service up (connect, listen); the module counts as running once it resolves. */
  start?(): Promise<void>;
  /** Releases what start acquired; called once, in reverse dependency order, for every module whose start completed. */
  stop?(): Promise<void>;
  /** Rejects when the service dies on its own while running (a consumer crashed); resolving means nothing. */
  failed?: Promise<unknown>;
}

/** The modules' readiness, with each module's state; httpModule turns it into the /readyz `Readiness`. */
export interface ModuleReadiness {
  /** True only when every module runs and shutdown has not begun. */
  ready: boolean;
  modules: Record<string, ModuleState>;
}

export interface Liveness {
  /** True unless a module failed. */
  alive: boolean;
  modules: Record<string, ModuleState>;
}

/** What init gets: its dependencies' values, the manager's health (for /readyz) and a logger. */
export interface InitContext {
  /** The value of a dependency (direct or transitive), already started. */
  get<T>(name: string): T;
  readiness(): ModuleReadiness;
  liveness(): Liveness;
  /** The process logger with `module` set. */
  logger: Logger;
}

/** A unit of the process: `deps` start before it and stop after it. */
export interface ModuleDefinition<T = unknown> {
  readonly name: string;
  readonly deps: readonly string[];
  init(ctx: InitContext): Promise<ModuleService<T>> | ModuleService<T>;
}

/** Where in its lifecycle a module failed. */
export type ModulePhase = 'init' | 'start' | 'run' | 'stop';

const PHASE_TEXT: Record<ModulePhase, string> = {
  init: 'failed to initialise',
  start: 'failed to start',
  run: 'failed while running',
  stop: 'failed to stop',
};

/** A module failed; `cause` is what it threw (a ConfigError from its init, a crashed consumer, …). */
export class ModuleFailedError extends AppError {
  readonly module: string;
  readonly phase: ModulePhase;

  constructor(module: string, phase: ModulePhase, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('LIFECYCLE.MODULE_FAILED', `module "${module}" ${PHASE_TEXT[phase]}: ${reason}`, 500, {
      cause,
      details: { module, phase },
    });
    this.module = module;
    this.phase = phase;
  }
}
