/**
 * The gateway's front door: proxied requests are served straight from node:http, without Express. Per request
 * Express's router, its request/response prototypes and a dozen middleware layers cost more CPU than the proxying
 * itself (and, with tracing on, the Express instrumentation a span per layer). The front door runs the same
 * steps the platform's Express chain runs — request id, `traceresponse`, `Connection: close` while draining,
 * access log, RED metrics, security headers, CORS — then the proxy, and writes its failures as the same RFC 9457
 * problems. Everything else (the probes, /metrics, /openapi.json, /docs, CORS preflights, 404s) falls through
 * to the Express app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import {
  accessLogger,
  requestIdMiddleware,
  traceResponseMiddleware,
  writeProblem,
} from '@tradeflow/platform/http';
import type { Logger } from '@tradeflow/platform/log';
import type { Metrics } from '@tradeflow/platform/metrics';
import type { Express, Request, Response } from 'express';
import type { Proxy } from '../proxy/proxy-handler';
import { corsMiddleware, securityHeaders, type CorsSettings } from './edge-middleware';

/** What the front door needs. */
export interface FrontDoorOptions {
  proxy: Proxy;
  cors: CorsSettings;
  metrics: Metrics;
  /** The HTTP server's logger: access lines and 5xx causes. */
  logger: Logger;
  /** The JSON body limit, named in 413 problems the platform makes of body-parser errors. */
  bodyLimit: string;
}

/** A request handler on plain node:http objects: true when it took the request. */
export type FrontDoor = (req: IncomingMessage, res: ServerResponse) => boolean;

const noop = (): void => undefined;

/** The front door over `options`. */
export function createFrontDoor(options: FrontDoorOptions): FrontDoor {
  const { proxy, metrics, logger, bodyLimit } = options;
  const requestId = requestIdMiddleware();
  const traceResponse = traceResponseMiddleware();
  const accessLog = accessLogger(logger);
  const red = metrics.httpMiddleware;
  const headers = securityHeaders();
  const headerNames = Object.keys(headers);
  const cors = corsMiddleware(options.cors);

  return (req, res) => {
    // A preflight is the CORS middleware's to answer, before any key is asked for: Express's way.
    if (req.method === 'OPTIONS') return false;
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const route = proxy.match(path);
    if (route === undefined) return false;

    const request = req as Request;
    const response = res as Response;
    requestId(request, response, () => {
      traceResponse(request, response, noop);
      // While the server drains (it stopped listening), answers close their connection, as the platform's do.
      if ((req.socket as { server?: Server }).server?.listening === false)
        res.setHeader('Connection', 'close');
      accessLog(req, res);
      red(request, response, noop);
      for (const name of headerNames) res.setHeader(name, headers[name] as string);
      if (cors !== undefined) cors(request, response, noop);
      proxy.handle(req, res, route, path).catch((err: unknown) => {
        writeProblem(req, res, err, { logger, bodyLimit });
      });
    });
    return true;
  };
}

/**
 * Puts the front door before `app`'s router: a request the front door takes never reaches Express. (The
 * app's `handle` is what the node:http server calls through the app function.)
 */
export function installFrontDoor(app: Express, frontDoor: FrontDoor): void {
  const target = app as unknown as {
    handle: (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;
  };
  const expressHandle = target.handle.bind(app);
  target.handle = (req, res, next) => {
    if (!frontDoor(req, res)) expressHandle(req, res, next);
  };
}
