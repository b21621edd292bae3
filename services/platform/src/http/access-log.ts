import type { IncomingMessage, ServerResponse } from 'node:http';
import { trace } from '@opentelemetry/api';
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../log';
import { problemCodeOf } from './error-handler';
import { requestIdOf } from './request-id';
import { pathOf } from './request-path';
import { routeTemplate, trackRouteTemplate, UNMATCHED_ROUTE } from './route-template';

const extraFields = new WeakMap<IncomingMessage, Record<string, unknown>>();

/**
 * Adds `fields` to the access log line of `req` (the gateway names the consumer and the upstream). The line
 * is not redacted (see `accessLogMiddleware`): add known scalar fields only, never headers or credentials.
 */
export function addAccessLogFields(req: IncomingMessage, fields: Record<string, unknown>): void {
  const existing = extraFields.get(req);
  if (existing === undefined) extraFields.set(req, { ...fields });
  else Object.assign(existing, fields);
}

/** Probe and scrape endpoints; their successful requests are logged at debug so they don't drown the rest. */
const QUIET_PATHS = new Set(['/livez', '/readyz', '/metrics']);

/**
 * One log line per request when its response is finished (or the client went away): method, route
 * template, path, status, duration, request id, the trace and span of the request and, for errors, the
 * problem code. Works on Express requests and on plain node:http ones (the gateway's fast path).
 *
 * Cheap on purpose, as it runs for every request: the line carries only the fields above, so it is written
 * without the logger's redaction (wildcard paths that cost a deep walk of every line), and the trace ids are
 * taken when the request arrives rather than by binding the close handler to the request's async context.
 */
export function accessLogMiddleware(logger: Logger): RequestHandler {
  const log = accessLogger(logger);
  return (req, res, next) => {
    log(req, res);
    next();
  };
}

/** The access line's fields; built in one object literal per request (no spreads of optional parts). */
interface AccessFields {
  trace_id: string | undefined;
  span_id: string | undefined;
  method: string | undefined;
  route: string;
  path: string;
  status: number;
  duration_ms: number;
  request_id: string;
  code?: string;
  aborted?: true;
}

/**
 * The access log of one request on a plain node:http request and response; see `accessLogMiddleware`.
 * `expressRoutes: false` for a caller that names the route itself (`setRouteTemplate`, the gateway's front
 * door): Express's route assignments are then not tracked (a property defined on every request).
 */
export function accessLogger(
  logger: Logger,
  { expressRoutes = true }: { expressRoutes?: boolean } = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  // No redaction: every field of the line is known (headers are never logged here).
  const lines = logger.child({}, { redact: [] });
  return (req, res) => {
    if (expressRoutes) trackRouteTemplate(req as Request);
    const started = process.hrtime.bigint();
    const spanContext = trace.getActiveSpan()?.spanContext();
    const traced = spanContext !== undefined && trace.isSpanContextValid(spanContext);
    res.once('close', () => {
      const path = pathOf(req as Request);
      const fields: AccessFields = {
        // Set (undefined when untraced) so the logger's mixin cannot add the ids of the context the 'close'
        // event happens to run in, which need not be this request's.
        trace_id: traced ? spanContext.traceId : undefined,
        span_id: traced ? spanContext.spanId : undefined,
        method: req.method,
        route: routeTemplate(req as Request) ?? UNMATCHED_ROUTE,
        path,
        status: res.statusCode,
        duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
        request_id: requestIdOf(req as Request),
      };
      const code = problemCodeOf(res);
      if (code !== undefined) fields.code = code;
      if (!res.writableFinished) fields.aborted = true;
      const extra = extraFields.get(req);
      const line = extra === undefined ? fields : Object.assign(fields, extra);
      if (res.statusCode >= 500) lines.warn(line, 'request failed');
      else if (QUIET_PATHS.has(path) && res.statusCode < 400) lines.debug(line, 'request completed');
      else lines.info(line, 'request completed');
    });
  };
}
