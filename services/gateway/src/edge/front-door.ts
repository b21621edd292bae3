/**
 * The gateway's front door: proxied requests are served straight from node:http, without Express. Per request
 * Express's router, its request/response prototypes and a dozen middleware layers cost more CPU than the proxying
 * itself (and, with tracing on, the Express instrumentation a span per layer). The front door runs the same
 * steps the platform's Express chain runs — request id, `traceresponse`, `Connection: close` while draining,
 * access log, security headers, CORS — then the proxy, and writes its failures as the same RFC 9457
 * problems. Everything else (the probes, /metrics, /openapi.json, /docs, CORS preflights, 404s) falls through
 * to the Express app.
 *
 * The gateway runs without the http instrumentation's server side (main.ts: `incomingHttpSpans: false`): the
 * front door starts the SERVER span of every request itself, proxied or not (probes and scrapes excepted, as
 * before), and runs the request in its context with one `context.with`. RED metrics of proxied requests are the
 * proxy's `gateway_request_duration_seconds` alone; the platform's `http_request_*` count the Express rest.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import { context, trace } from '@opentelemetry/api';
import {
  accessLogger,
  requestIdMiddleware,
  routeTemplate,
  traceResponseMiddleware,
  writeProblem,
} from '@tradeflow/platform/http';
import type { Logger } from '@tradeflow/platform/log';
import { startServerSpan, UNTRACED_PATHS } from '@tradeflow/platform/trace';
import type { Express, Request, Response } from 'express';
import type { Proxy } from '../proxy/proxy-handler';
import { corsMiddleware, securityHeaders, type CorsSettings } from './edge-middleware';

/** What the front door needs. */
export interface FrontDoorOptions {
  proxy: Proxy;
  cors: CorsSettings;
  /** The HTTP server's logger: access lines and 5xx causes. */
  logger: Logger;
  /** The JSON body limit, named in 413 problems the platform makes of body-parser errors. */
  bodyLimit: string;
}

/**
 * A request handler on plain node:http objects: serves a proxied request, or hands any other to `fallback` (the
 * Express app), in both cases inside the request's server span.
 */
export type FrontDoor = (req: IncomingMessage, res: ServerResponse, fallback: () => void) => void;

const noop = (): void => undefined;

/** The route template of a request once answered (the proxy's `/v1/trades/*`, Express's own). */
const routeOf = (req: IncomingMessage): string | undefined => routeTemplate(req as Request);

/** The front door over `options`. */
export function createFrontDoor(options: FrontDoorOptions): FrontDoor {
  const { proxy, logger, bodyLimit } = options;
  const requestId = requestIdMiddleware();
  const traceResponse = traceResponseMiddleware();
  // The proxy names the route (setRouteTemplate): no Express route tracking on the fast path.
  const accessLog = accessLogger(logger, { expressRoutes: false });
  const headers = securityHeaders();
  const headerNames = Object.keys(headers);
  const cors = corsMiddleware(options.cors);

  const serve = (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    route: ReturnType<Proxy['match']>,
    fallback: () => void,
  ): void => {
    if (route === undefined) {
      fallback();
      return;
    }
    const request = req as Request;
    const response = res as Response;
    requestId(request, response, () => {
      traceResponse(request, response, noop);
      // While the server drains (it stopped listening), answers close their connection, as the platform's do.
      if ((req.socket as { server?: Server }).server?.listening === false)
        res.setHeader('Connection', 'close');
      accessLog(req, res);
      for (const name of headerNames) res.setHeader(name, headers[name] as string);
      if (cors !== undefined) cors(request, response, noop);
      proxy.handle(req, res, route, path).catch((err: unknown) => {
        writeProblem(req, res, err, { logger, bodyLimit });
      });
    });
  };

  return (req, res, fallback) => {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    // A preflight is the CORS middleware's to answer, before any key is asked for: Express's way.
    const route = req.method === 'OPTIONS' ? undefined : proxy.match(path);
    // Probes and scrapes are not traced (they would bury the traces that matter), as the platform's services do.
    if (route === undefined && UNTRACED_PATHS.has(path)) {
      fallback();
      return;
    }
    // In a process whose http instrumentation made the server span already (all-in-one), that span is the one.
    if (trace.getActiveSpan() !== undefined) serve(req, res, path, route, fallback);
    else
      context.with(
        startServerSpan(req, res, path, routeOf),
        serve,
        undefined,
        req,
        res,
        path,
        route,
        fallback,
      );
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
    frontDoor(req, res, () => expressHandle(req, res, next));
  };
}
