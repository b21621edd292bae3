import { AsyncResource } from 'node:async_hooks';
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../log';
import { problemCodeOf } from './error-handler';
import { requestIdOf } from './request-id';
import { pathOf } from './request-path';
import { routeTemplate, trackRouteTemplate, UNMATCHED_ROUTE } from './route-template';

const extraFields = new WeakMap<Request, Record<string, unknown>>();

/** Adds `fields` to the access log line of `req` (the gateway names the consumer and the upstream). */
export function addAccessLogFields(req: Request, fields: Record<string, unknown>): void {
  extraFields.set(req, { ...extraFields.get(req), ...fields });
}

/** Probe and scrape endpoints; their successful requests are logged at debug so they don't drown the rest. */
const QUIET_PATHS = new Set(['/livez', '/readyz', '/metrics']);

/**
 * One log line per request when its response is finished (or the client went away): method, route
 * template, path, status, duration, request id and, for errors, the problem code. Trace ids come
 * from the logger's mixin.
 */
export function accessLogMiddleware(logger: Logger): RequestHandler {
  return (req, res, next) => {
    trackRouteTemplate(req);
    const started = process.hrtime.bigint();
    // Bound so the line is written in this request's context (trace and request ids), not the socket's.
    const onClose = AsyncResource.bind(() => {
      const path = pathOf(req);
      const fields = {
        method: req.method,
        route: routeTemplate(req) ?? UNMATCHED_ROUTE,
        path,
        status: res.statusCode,
        duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
        request_id: requestIdOf(req),
        ...(problemCodeOf(res) === undefined ? {} : { code: problemCodeOf(res) }),
        ...(res.writableFinished ? {} : { aborted: true }),
        ...extraFields.get(req),
      };
      if (res.statusCode >= 500) logger.warn(fields, 'request failed');
      else if (QUIET_PATHS.has(path) && res.statusCode < 400) logger.debug(fields, 'request completed');
      else logger.info(fields, 'request completed');
    });
    res.once('close', onClose);
    next();
  };
}
