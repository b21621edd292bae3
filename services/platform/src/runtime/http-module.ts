/** A service's HTTP entry point as a module: the platform server with the service's routes. */
import type { Express } from 'express';
import type { HttpConfig } from '../config';
import { createHttpServer, OPENAPI_PATH, openApiHandler, type HttpServer } from '../http';
import type { InitContext, ModuleDefinition } from '../lifecycle';
import type { Metrics } from '../metrics';
import { CoreModule } from './core-modules';

export interface HttpModuleOptions {
  /** Module name, e.g. `trades-http`. */
  name: string;
  /** Service name for log lines. */
  service: string;
  /** Modules the routes use (their values are available through `ctx.get`); metrics is added. */
  deps: readonly string[];
  http: HttpConfig;
  /**
   * The process's shutdown budget (`lifecycle.shutdownTimeoutMs`). Draining in-flight requests gets half of
   * it: the modules that stop after HTTP (consumers, bus, store, tracing) still need their turn before the
   * runner gives up on the whole shutdown.
   */
  shutdownTimeoutMs: number;
  /** Builds the routes from the started dependencies. */
  routes: (ctx: InitContext) => (app: Express) => void;
  /** Non-JSON body media types the routes parse themselves. */
  extraBodyTypes?: readonly string[];
  /** Longest a request may take to arrive, body included (default Node's 300 s); raise it for long uploads. */
  requestTimeoutMs?: number;
  /** Parse JSON bodies (default true); the gateway passes false and streams bodies through. */
  parseBodies?: boolean;
  /** The service's OpenAPI document (a YAML file), served as JSON at `GET /openapi.json`. */
  openapi?: string;
}

/** Starts listening once every dependency runs; `/readyz` reflects the whole process. */
export function httpModule(options: HttpModuleOptions): ModuleDefinition<HttpServer> {
  return {
    name: options.name,
    deps: [CoreModule.metrics, ...options.deps],
    init: (ctx) => {
      const routes = options.routes(ctx);
      const openapi = options.openapi === undefined ? undefined : openApiHandler(options.openapi);
      const server = createHttpServer({
        service: options.service,
        logger: ctx.logger,
        host: options.http.host,
        port: options.http.port,
        bodyLimit: options.http.bodyLimit,
        shutdownTimeoutMs: drainTimeoutMs(options.shutdownTimeoutMs),
        metrics: ctx.get<Metrics>(CoreModule.metrics),
        readiness: () => {
          const r = ctx.readiness();
          return { ready: r.ready, detail: r.modules };
        },
        routes: (app) => {
          if (openapi !== undefined) app.get(OPENAPI_PATH, openapi);
          routes(app);
        },
        extraBodyTypes: options.extraBodyTypes,
        requestTimeoutMs: options.requestTimeoutMs,
        parseBodies: options.parseBodies,
      });
      return {
        value: server,
        // The server logs its own "listening" line.
        start: async () => {
          await server.start();
        },
        stop: () => server.stop(),
      };
    },
  };
}

/** The share of the process's shutdown budget that draining HTTP requests may use. */
export function drainTimeoutMs(shutdownTimeoutMs: number): number {
  return Math.max(1, Math.floor(shutdownTimeoutMs / 2));
}
