/**
 * The body of every `src/main.ts`: validate config (one message, exit 78), start tracing, create the
 * logger, then load the service's modules and run them until a signal or a failure.
 *
 * This file must not import express, http or the AWS SDK: tracing has to patch them before they load,
 * which is why `modules` is a function that imports the service's module files lazily.
 */
import { lifecycleEnv, loadConfigOrExit, logEnv, telemetryEnv, type ConfigOf } from '../config';
import type { ConfigSpec } from '../config/load-config';
import type { ModuleDefinition } from '../lifecycle';
import { runProcess, type RunningProcess } from '../lifecycle/runner';
import { createLogger } from '../log';
import { startTracing } from '../trace';

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
}

/** Runs a process made of modules; resolves once it has started (or failed to). */
export async function runMain<S extends { readonly [name: string]: import('zod').ZodType }>(
  options: RunMainOptions<S>,
): Promise<RunningProcess> {
  const spec = { ...processEnv, ...options.config } as S & typeof processEnv & ConfigSpec;
  const config = loadConfigOrExit(spec, options.service) as ConfigOf<S & typeof processEnv>;
  startTracing({ serviceName: options.service });
  const logger = createLogger({ service: options.service, level: config.log.level });
  const modules = await options.modules(config);
  const running = runProcess({
    service: options.service,
    modules,
    logger,
    shutdownTimeoutMs: config.lifecycle.shutdownTimeoutMs,
    argv: options.argv,
  });
  await running.started;
  return running;
}
