import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../log';
import { accessLogMiddleware } from './access-log';
import { errorHandler, notFoundHandler } from './error-handler';
import { livenessHandler, metricsHandler, readinessHandler, type ReadinessCheck } from './health';
import { jsonBodyMiddleware } from './json-body';
import { requestIdMiddleware } from './request-id';
import { traceResponseMiddleware } from './trace-response';

export interface HttpServerOptions {
  /** Service name, for log lines. */
  service: string;
  logger: Logger;
  /** Interface to listen on; default 127.0.0.1 (containers pass 0.0.0.0 from config). */
  host?: string;
  /** Port to listen on; default 0 (any free port, for tests). */
  port?: number;
  /** Largest JSON body accepted; default `'1mb'`. */
  bodyLimit?: string;
  /** Backs `/readyz`; default always ready. */
  readiness?: ReadinessCheck;
  /** When given, RED metrics are recorded and `/metrics` serves the registry. */
  metrics?: { registry: Registry; httpMiddleware: RequestHandler };
  /** Mounts the service's routes; runs after the platform middleware and before the 404 and error handlers. */
  routes: (app: Express) => void;
  /** How long `stop()` lets in-flight requests run before cutting their connections; default 10 s. */
  shutdownTimeoutMs?: number;
  /** Non-JSON body media types some routes parse themselves (`text/csv`); all others get 415. */
  extraBodyTypes?: readonly string[];
  /**
   * Longest a request may take to arrive, body included (Node's `requestTimeout`, default 300 s); a service
   * that streams large uploads raises it, since Node cuts a request still arriving at this deadline.
   */
  requestTimeoutMs?: number;
  /**
   * Parse JSON bodies and refuse other media types (default true). A proxy passes false: its routes stream
   * every body on untouched, whatever its type and size.
   */
  parseBodies?: boolean;
}

/** Where a started server listens. */
export interface ListeningAddress {
  port: number;
  url: string;
}

/** An Express app with the platform's middleware, and its lifecycle. */
export interface HttpServer {
  /** The app, for supertest or for mounting more routes before `start()`. */
  readonly app: Express;
  /** Listens on the configured host and port. */
  start(): Promise<ListeningAddress>;
  /**
   * Stops accepting connections, closes idle keep-alive connections, lets in-flight requests finish
   * and cuts what is still open after `shutdownTimeoutMs`. Safe to call more than once.
   */
  stop(): Promise<void>;
}

/**
 * The Express server every service runs: request ids, access log, RED metrics, JSON bodies with a
 * limit and a 415 for other media types, `/livez`, `/readyz`, `/metrics`, the service's routes, a 404
 * problem and one RFC 9457 error handler, with a graceful, bounded stop.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const {
    service,
    logger,
    host = '127.0.0.1',
    port = 0,
    bodyLimit = '1mb',
    readiness = () => ({ ready: true }),
    metrics,
    routes,
    shutdownTimeoutMs = 10_000,
    extraBodyTypes,
    requestTimeoutMs,
    parseBodies = true,
  } = options;
  let server: Server | undefined;
  let stopped: Promise<void> | undefined;
  const stopping = (): boolean => stopped !== undefined;

  const app = express();
  app.disable('x-powered-by');
  app.use(requestIdMiddleware());
  app.use(traceResponseMiddleware());
  app.use((_req, res, next) => {
    // Responses started while draining close their connection, so keep-alive clients move elsewhere.
    if (stopping()) res.setHeader('Connection', 'close');
    next();
  });
  app.use(accessLogMiddleware(logger));
  if (metrics !== undefined) app.use(metrics.httpMiddleware);
  app.get('/livez', livenessHandler());
  app.get('/readyz', readinessHandler(readiness, stopping, logger));
  if (metrics !== undefined) app.get('/metrics', metricsHandler(metrics.registry));
  if (parseBodies) app.use(jsonBodyMiddleware({ limit: bodyLimit, extraBodyTypes }));
  routes(app);
  app.use(notFoundHandler());
  app.use(errorHandler({ logger, bodyLimit }));

  async function start(): Promise<ListeningAddress> {
    if (server !== undefined) throw new Error(`The HTTP server of ${service} is already started.`);
    const candidate = createServer(app);
    if (requestTimeoutMs !== undefined) candidate.requestTimeout = requestTimeoutMs;
    await new Promise<void>((resolve, reject) => {
      candidate.once('error', reject);
      candidate.listen(port, host, () => {
        candidate.off('error', reject);
        resolve();
      });
    });
    server = candidate;
    // A connection whose last response finished while draining is idle now: close it rather than wait.
    candidate.on('request', (_req, res) => {
      res.once('finish', () => {
        if (stopping()) setImmediate(() => candidate.closeIdleConnections());
      });
    });
    const address = candidate.address() as AddressInfo;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    logger.info({ url }, `${service} listening`);
    return { port: address.port, url };
  }

  function stop(): Promise<void> {
    const running = server;
    if (running === undefined) return Promise.resolve();
    stopped ??= new Promise<void>((resolve) => {
      const deadline = setTimeout(() => {
        logger.warn(
          { shutdown_timeout_ms: shutdownTimeoutMs },
          'cutting connections still open at the shutdown deadline',
        );
        running.closeAllConnections();
      }, shutdownTimeoutMs);
      deadline.unref();
      running.close(() => {
        clearTimeout(deadline);
        logger.info(`${service} stopped listening`);
        resolve();
      });
      running.closeIdleConnections();
    });
    return stopped;
  }

  return { app, start, stop };
}
