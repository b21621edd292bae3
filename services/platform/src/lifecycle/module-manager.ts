/** Starts modules in dependency order, stops them in reverse, stops all when one fails, and knows readiness. */
import type { Logger } from 'pino';
import { ConfigError, UnavailableError } from '../errors';
import { createLogger } from '../log';
import {
  ModuleFailedError,
  type InitContext,
  type Liveness,
  type ModuleDefinition,
  type ModulePhase,
  type ModuleService,
  type ModuleState,
  type ModuleReadiness,
} from './module';
import { resolveModules, transitiveDeps } from './resolve-modules';

/** Settles never: a `failed` promise that resolves says nothing about the start. */
const NEVER = new Promise<never>(() => undefined);

interface Entry {
  readonly definition: ModuleDefinition;
  state: ModuleState;
  service?: ModuleService;
  /** start() completed, so stop() is owed. */
  started: boolean;
  failure?: ModuleFailedError;
}

export interface ModuleManagerOptions {
  /** `--target` names; default every module. */
  targets?: readonly string[];
  logger?: Logger;
}

/** Runs the modules the targets need, as one unit with one health. */
export class ModuleManager {
  private readonly entries: Entry[];
  private readonly logger: Logger;
  private readonly failureListeners: ((failure: ModuleFailedError) => void)[] = [];
  private shuttingDown = false;
  private startLoop: Promise<ModuleFailedError | undefined> | undefined;
  private stopping: Promise<void> | undefined;
  private firstFailure: ModuleFailedError | undefined;

  /** Resolves the targets at once, so an unknown target or a cycle fails before anything starts. */
  constructor(modules: readonly ModuleDefinition[], options: ModuleManagerOptions = {}) {
    const ordered = resolveModules(modules, options.targets ?? ['all']);
    this.entries = ordered.map((definition) => ({ definition, state: 'new', started: false }));
    this.logger = options.logger ?? createLogger({ service: 'lifecycle', level: 'silent' });
  }

  /** The module names in start order. */
  get moduleNames(): string[] {
    return this.entries.map((e) => e.definition.name);
  }

  /** The first failure of any module, if one failed. */
  get failure(): ModuleFailedError | undefined {
    return this.firstFailure;
  }

  /** Called when a running module fails (after which the manager stops every module). */
  onFailure(listener: (failure: ModuleFailedError) => void): void {
    this.failureListeners.push(listener);
  }

  /**
   * Initialises and starts each module after its dependencies. Rejects with a ModuleFailedError when one
   * fails (the others are then being stopped: await stop() to know when they are), or with an
   * UnavailableError when stop() was called before every module started.
   */
  async start(): Promise<void> {
    if (this.startLoop !== undefined) throw new Error('the module manager was already started');
    this.startLoop = this.startInOrder();
    const failure = await this.startLoop;
    if (failure !== undefined) {
      void this.stop();
      throw failure;
    }
    if (this.shuttingDown) throw new UnavailableError('Shutdown began before every module started.');
  }

  /**
   * Stops every started module in reverse order, one at a time; idempotent. Readiness turns false at the call,
   * before anything has stopped. A module that fails to stop is recorded and the others still stop.
   */
  stop(): Promise<void> {
    this.shuttingDown = true;
    this.stopping ??= this.stopInReverse();
    return this.stopping;
  }

  /** Ready only when every module is running and shutdown has not begun. */
  readiness(): ModuleReadiness {
    const modules = this.states();
    const ready = !this.shuttingDown && this.entries.every((e) => e.state === 'running');
    return { ready, modules };
  }

  /** Alive unless a module failed; independent of readiness. */
  liveness(): Liveness {
    return { alive: this.entries.every((e) => e.state !== 'failed'), modules: this.states() };
  }

  /** Modules caught mid-transition (starting or stopping): the ones to name when shutdown hangs. */
  pendingModules(): string[] {
    return this.entries
      .filter((e) => e.state === 'starting' || e.state === 'stopping')
      .map((e) => e.definition.name);
  }

  /** The value of an initialised module. */
  get<T>(name: string): T {
    const entry = this.entries.find((e) => e.definition.name === name);
    if (entry?.service === undefined) throw new Error(`module "${name}" is not initialised`);
    if (!('value' in entry.service)) throw new Error(`module "${name}" has no value`);
    return entry.service.value as T;
  }

  private states(): Record<string, ModuleState> {
    return Object.fromEntries(this.entries.map((e) => [e.definition.name, e.state]));
  }

  private async startInOrder(): Promise<ModuleFailedError | undefined> {
    for (const entry of this.entries) {
      if (this.shuttingDown) return undefined;
      const name = entry.definition.name;
      const log = this.logger.child({ module: name });
      const began = Date.now();
      entry.state = 'starting';
      let phase: ModulePhase = 'init';
      try {
        const service = await entry.definition.init(this.contextFor(entry.definition, log));
        entry.service = service;
        service.failed?.catch((err: unknown) => this.serviceFailed(entry, err));
        phase = 'start';
        // A service that dies while starting must not leave the start hanging.
        // Without `failed`, race against NEVER: an undefined entry would settle the race at once.
        await Promise.race([service.start?.(), service.failed?.then(() => NEVER) ?? NEVER]);
        entry.started = true;
      } catch (err) {
        // serviceFailed may have recorded it already (the same rejection reaches both).
        return entry.failure ?? this.fail(entry, new ModuleFailedError(name, phase, err));
      }
      if (entry.failure !== undefined) return entry.failure;
      entry.state = 'running';
      log.info({ durationMs: Date.now() - began }, 'module running');
    }
    return undefined;
  }

  private contextFor(definition: ModuleDefinition, logger: Logger): InitContext {
    const allowed = transitiveDeps(
      this.entries.map((e) => e.definition),
      definition.name,
    );
    return {
      get: <T>(name: string): T => {
        if (!allowed.has(name)) {
          throw new Error(
            `module "${definition.name}" asked for "${name}", which is not among its dependencies`,
          );
        }
        return this.get<T>(name);
      },
      readiness: () => this.readiness(),
      liveness: () => this.liveness(),
      logger,
    };
  }

  /** A service's `failed` promise rejected: fatal for the process unless it was already on its way out. */
  private serviceFailed(entry: Entry, err: unknown): void {
    if (entry.state === 'failed' || entry.state === 'terminated') return;
    const phase: ModulePhase =
      entry.state === 'running' ? 'run' : entry.state === 'stopping' ? 'stop' : 'start';
    const failure = this.fail(entry, new ModuleFailedError(entry.definition.name, phase, err));
    if (phase === 'run' && !this.shuttingDown) {
      for (const listener of this.failureListeners) listener(failure);
      void this.stop();
    }
  }

  private fail(entry: Entry, failure: ModuleFailedError): ModuleFailedError {
    entry.state = 'failed';
    entry.failure = failure;
    this.firstFailure ??= failure;
    // A configuration error is the operator's to fix: its variables, not a stack trace.
    const cause =
      failure.cause instanceof ConfigError ? { errors: failure.cause.issues } : { err: failure.cause };
    this.logger.error({ module: failure.module, phase: failure.phase, ...cause }, failure.message);
    return failure;
  }

  private async stopInReverse(): Promise<void> {
    // Let a module that is starting finish first: stopping it halfway would leak what it acquired.
    await this.startLoop;
    for (const entry of [...this.entries].reverse()) {
      if (entry.state === 'new') entry.state = 'terminated';
      if (!entry.started || entry.state === 'terminated') continue;
      entry.started = false;
      const log = this.logger.child({ module: entry.definition.name });
      // A module that failed while running still gets stop() to release what it holds; it stays failed.
      const wasFailed = entry.state === 'failed';
      if (!wasFailed) entry.state = 'stopping';
      log.info('module stopping');
      try {
        await entry.service?.stop?.();
        if (entry.state === 'stopping') entry.state = 'terminated';
        log.info('module stopped');
      } catch (err) {
        if (!wasFailed) this.fail(entry, new ModuleFailedError(entry.definition.name, 'stop', err));
        else log.warn({ err }, 'stop of a failed module threw');
      }
    }
  }
}
