/**
 * The one place a process handles its own fate: `--target` parsing, start, SIGTERM/SIGINT, uncaught
 * exceptions and unhandled rejections, a module failing, bad configuration, and a bounded shutdown.
 *
 * Exit codes: 0 after a clean shutdown, 1 after a failure or a shutdown that ran out of time, 78 (EX_CONFIG)
 * for bad configuration (an unknown target, or a ConfigError thrown by a module's init).
 */
import type { Logger } from 'pino';
import { reportConfigErrorAndExit } from '../config/load-config';
import { ConfigError } from '../errors';
import { ModuleFailedError, type ModuleDefinition } from './module';
import { ModuleManager } from './module-manager';
import { parseTargets } from './resolve-modules';

/** The process events the runner listens to; `process` by default, an EventEmitter in tests. */
export interface ProcessEvents {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

export interface RunProcessOptions {
  /** Names the process in the configuration message. */
  service: string;
  modules: readonly ModuleDefinition[];
  /** Default `process.argv.slice(2)`. */
  argv?: readonly string[];
  logger: Logger;
  /** How long an orderly shutdown may take before the process exits 1 anyway. */
  shutdownTimeoutMs: number;
  /** Default `process.exit`; tests record the code instead. */
  exit?: (code: number) => void;
  /** Default `process`. */
  events?: ProcessEvents;
  /** Where a configuration error is printed; default `process.stderr`. */
  stderr?: { write(text: string): unknown };
}

export interface RunningProcess {
  /** Undefined when the targets could not be resolved (the process is already exiting). */
  manager: ModuleManager | undefined;
  /** Resolves true once every module runs, false when the start failed or was cut short. */
  started: Promise<boolean>;
  /** Resolves with the exit code when the runner calls exit. */
  exited: Promise<number>;
  /** Begins an orderly shutdown (as SIGTERM does) and resolves with the exit code. */
  shutdown(reason: string, exitCode?: number): Promise<number>;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Runs the modules named by `--target` until a signal, a failure or an error ends the process. */
export function runProcess(options: RunProcessOptions): RunningProcess {
  const { service, modules, logger, shutdownTimeoutMs } = options;
  const argv = options.argv ?? process.argv.slice(2);
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const events: ProcessEvents = options.events ?? process;
  const stderr = options.stderr ?? process.stderr;

  let resolveExited: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (resolveExited = resolve));
  let hasExited = false;
  let shutdownTimer: NodeJS.Timeout | undefined;
  // The process lives until the runner exits it, even when no module holds a socket or timer open.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let shutdownPromise: Promise<number> | undefined;
  // The worst code asked for so far: a failure during a SIGTERM shutdown still ends in 1.
  let requestedCode = 0;

  const listeners: [string, (...args: unknown[]) => void][] = [];
  const listen = (event: string, listener: (...args: unknown[]) => void): void => {
    listeners.push([event, listener]);
    events.on(event, listener);
  };

  const exitOnce = (code: number): void => {
    if (hasExited) return;
    hasExited = true;
    clearTimeout(shutdownTimer);
    clearInterval(keepAlive);
    for (const [event, listener] of listeners) events.off(event, listener);
    resolveExited(code);
    exit(code);
  };

  let manager: ModuleManager;
  try {
    manager = new ModuleManager(modules, { targets: parseTargets(argv), logger });
  } catch (err) {
    if (err instanceof ConfigError) reportConfigErrorAndExit(err, service, { stderr, exit: exitOnce });
    else {
      logger.fatal({ err }, 'cannot resolve the modules to run');
      exitOnce(1);
    }
    return {
      manager: undefined,
      started: Promise.resolve(false),
      exited,
      shutdown: () => exited,
    };
  }

  const shutdown = (reason: string, exitCode = 0): Promise<number> => {
    requestedCode = Math.max(requestedCode, exitCode);
    if (shutdownPromise !== undefined) return shutdownPromise;
    // manager.stop() turns readiness false before it awaits anything.
    const stopped = manager.stop();
    logger.info({ reason, readiness: manager.readiness() }, 'shutting down');
    shutdownTimer = setTimeout(() => {
      const hung = manager.pendingModules();
      logger.error(
        { modules: hung, timeoutMs: shutdownTimeoutMs },
        `shutdown timed out after ${shutdownTimeoutMs} ms waiting for module ${hung.map((m) => `"${m}"`).join(', ')}`,
      );
      exitOnce(1);
    }, shutdownTimeoutMs);
    shutdownPromise = stopped.then(() => {
      const code = requestedCode !== 0 ? requestedCode : manager.failure !== undefined ? 1 : 0;
      if (!hasExited) {
        logger.info({ exitCode: code, modules: manager.liveness().modules }, 'stopped');
        exitOnce(code);
      }
      return code;
    });
    return shutdownPromise;
  };

  for (const signal of SIGNALS) {
    listen(signal, () => {
      if (shutdownPromise === undefined) {
        void shutdown(`received ${signal}`);
        return;
      }
      // A second signal means the operator has stopped waiting.
      logger.warn(
        { signal, pending: manager.pendingModules() },
        'second signal during shutdown, exiting now',
      );
      exitOnce(1);
    });
  }
  listen('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    void shutdown('uncaught exception', 1);
  });
  listen('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection');
    void shutdown('unhandled promise rejection', 1);
  });
  manager.onFailure((failure) => void shutdown(failure.message, 1));

  const started = manager.start().then(
    () => {
      logger.info({ modules: manager.moduleNames, readiness: manager.readiness() }, 'started');
      return true;
    },
    (err: unknown) => {
      // Already shutting down (a signal while starting): the shutdown decides the exit.
      if (shutdownPromise !== undefined && !(err instanceof ModuleFailedError)) return false;
      const cause = err instanceof ModuleFailedError ? err.cause : err;
      if (cause instanceof ConfigError) {
        // The message goes to stderr now; the exit waits for the started modules to stop.
        reportConfigErrorAndExit(cause, service, {
          stderr,
          exit: (code) => void shutdown('invalid configuration', code),
        });
      } else {
        const fields = err instanceof ModuleFailedError ? { module: err.module, phase: err.phase } : {};
        logger.fatal({ ...fields, err: cause }, 'failed to start');
        void shutdown('failed to start', 1);
      }
      return false;
    },
  );

  return { manager, started, exited, shutdown };
}
