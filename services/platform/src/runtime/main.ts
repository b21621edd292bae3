/**
 * The body of every `src/main.ts`: validate config (one message, exit 78), start tracing, create the
 * logger, then load the service's modules and run them until a signal or a failure. Tracing runs as the
 * first module, so it stops last and the spans of the shutdown are exported.
 *
 * This file must not import express, http or the AWS SDK: tracing has to patch them before they load,
 * which is why `modules` is a function that imports the service's module files lazily.
 */
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from 'pino';
import {
  CONFIG_EXIT_CODE,
  lifecycleEnv,
  loadConfigOrExit,
  logEnv,
  reportConfigErrorAndExit,
  telemetryEnv,
  type ConfigOf,
} from '../config';
import type { ConfigSpec } from '../config/load-config';
import { ConfigError } from '../errors';
import type { ModuleDefinition } from '../lifecycle';
import { runProcess, type ProcessEvents, type RunningProcess } from '../lifecycle/runner';
import { createLogger } from '../log';
import { startTracing, type Tracing } from '../trace';
import { TRACING_STOP_TIMEOUT_MS, tracingModule, withTracingModule } from './tracing-module';

/** The variables every process reads, whatever it runs. */
export const processEnv = { log: logEnv, lifecycle: lifecycleEnv, telemetry: telemetryEnv } as const;

export interface RunMainOptions<S extends { readonly [name: string]: import('zod').ZodType }> {
  /** The process's name in logs, traces and metrics (`trades`, `tradeflow` for all-in-one). */
  service: string;
  /** The service's own config fragments; `processEnv` is added. */
  config: S;
  /** Imports and builds the modules; runs after tracing has started. */
  modules: (
    config: ConfigOf<S & typeof processEnv>,
  ) => Promise<readonly ModuleDefinition[]> | readonly ModuleDefinition[];
  /** Default `process.argv.slice(2)` (`--target=...`). */
  argv?: readonly string[];
  /** Default `process.exit`; tests record the code instead. */
  exit?: (code: number) => void;
  /** Default `process`. */
  events?: ProcessEvents;
  /** Spans go here instead of the exporter the `OTEL_*` variables choose; for tests. */
  spanExporter?: SpanExporter;
  /** False: no http-instrumentation server spans; the service makes its own (`startTracing`'s `incomingHttp`). */
  incomingHttpSpans?: boolean;
}

/**
 * Runs a process made of modules; resolves once it has started (or failed to). Whatever goes wrong before
 * the runner takes over (the modules cannot be imported or built) ends the process here: exit 78 with the
 * one configuration message for a ConfigError, otherwise a fatal log line and exit 1, never an unhandled
 * rejection.
 */
export async function runMain<S extends { readonly [name: string]: import('zod').ZodType }>(
  options: RunMainOptions<S>,
): Promise<RunningProcess> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const spec = { ...processEnv, ...options.config } as S & typeof processEnv & ConfigSpec;
  let config: ConfigOf<S & typeof processEnv>;
  try {
    config = loadConfigOrExit(spec, options.service, undefined, { exit });
  } catch (err) {
    // Reached only when an injected exit returned: the message is out and the exit was asked for.
    if (err instanceof ConfigError) return notStarted(CONFIG_EXIT_CODE);
    throw err;
  }
  let tracing: Tracing | undefined;
  let logger: Logger | undefined;
  let ready: { logger: Logger; modules: ModuleDefinition[] };
  try {
    tracing = startTracing({
      serviceName: options.service,
      incomingHttp: options.incomingHttpSpans ?? true,
      ...(options.spanExporter === undefined ? {} : { exporter: options.spanExporter }),
    });
    logger = createLogger({ service: options.service, level: config.log.level });
    ready = { logger, modules: withTracingModule(tracingModule(tracing), await options.modules(config)) };
  } catch (err) {
    return notStarted(await endBeforeStart(err, options.service, exit, tracing, logger));
  }
  const running = runProcess({
    service: options.service,
    modules: ready.modules,
    logger: ready.logger,
    shutdownTimeoutMs: config.lifecycle.shutdownTimeoutMs,
    argv: options.argv,
    exit,
    ...(options.events === undefined ? {} : { events: options.events }),
  });
  await running.started;
  return running;
}

/** Reports why the process cannot start, lets tracing flush (bounded), exits, and returns the code. */
async function endBeforeStart(
  err: unknown,
  service: string,
  exit: (code: number) => void,
  tracing: Tracing | undefined,
  logger: Logger | undefined,
): Promise<number> {
  let code = 1;
  if (err instanceof ConfigError) {
    reportConfigErrorAndExit(err, service, { exit: (c) => (code = c) });
  } else if (logger !== undefined) {
    logger.fatal({ err }, 'cannot build the modules to run');
  } else {
    process.stderr.write(`${service}: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  if (tracing !== undefined) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      tracing.shutdown().catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, TRACING_STOP_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
  }
  exit(code);
  return code;
}

function notStarted(code: number): RunningProcess {
  const exited = Promise.resolve(code);
  return { manager: undefined, started: Promise.resolve(false), exited, shutdown: () => exited };
}
