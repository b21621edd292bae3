/**
 * Tracing as a module: the SDK starts before anything else (runMain starts it before the modules are even
 * loaded), and this module makes it stop after everything else, so spans ended while the other modules stop
 * are exported instead of dying with the process.
 */
import type { ModuleDefinition } from '../lifecycle';
import type { Tracing } from '../trace';

/** The tracing module's name. */
export const TRACING_MODULE = 'tracing';

/** Longest the tracing module's stop waits for the exporter: an unreachable collector must not eat the shutdown. */
export const TRACING_STOP_TIMEOUT_MS = 2000;

/** The running SDK as a module whose stop flushes and shuts it down, within `TRACING_STOP_TIMEOUT_MS`. */
export function tracingModule(
  tracing: Tracing,
  stopTimeoutMs = TRACING_STOP_TIMEOUT_MS,
): ModuleDefinition<Tracing> {
  return {
    name: TRACING_MODULE,
    deps: [],
    init: (ctx) => ({
      value: tracing,
      stop: async () => {
        let timer: NodeJS.Timeout | undefined;
        const gaveUp = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), stopTimeoutMs);
        });
        try {
          const outcome = await Promise.race([tracing.shutdown().then(() => 'done' as const), gaveUp]);
          if (outcome === 'timeout') {
            ctx.logger.warn({ timeoutMs: stopTimeoutMs }, 'tracing did not flush in time; spans may be lost');
          }
        } finally {
          clearTimeout(timer);
        }
      },
    }),
  };
}

/**
 * `modules` with the tracing module in front and made a dependency of every module without dependencies, so
 * every module depends on it: it starts first, stops last and is part of every `--target`.
 */
export function withTracingModule(
  tracing: ModuleDefinition,
  modules: readonly ModuleDefinition[],
): ModuleDefinition[] {
  return [
    tracing,
    ...modules.map((m): ModuleDefinition =>
      m.deps.length > 0 ? m : { name: m.name, deps: [tracing.name], init: (ctx) => m.init(ctx) },
    ),
  ];
}
