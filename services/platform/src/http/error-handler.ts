import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from '../log';
import { PROBLEM_CONTENT_TYPE, problemHeaders, routeNotFound, toAppError, toProblem } from './problem';
import { requestIdOf } from './request-id';
import { pathOf } from './request-path';

const codes = new WeakMap<ServerResponse, string>();

/** The content type Express's `res.send` gives a problem (it adds the charset). */
const PROBLEM_TYPE_HEADER = `${PROBLEM_CONTENT_TYPE}; charset=utf-8`;

/** The problem code a response was sent with, for the access log. */
export function problemCodeOf(res: ServerResponse): string | undefined {
  return codes.get(res);
}

/** The last route: a 404 problem for every request no route answered. */
export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(routeNotFound(req.method, pathOf(req)));
}

export interface ErrorHandlerOptions {
  logger: Logger;
  /** The JSON body limit, named in 413 problems. */
  bodyLimit: string;
}

/**
 * Answers `err` as an RFC 9457 problem on plain node:http objects (the error handler below, and the gateway's
 * front door, which serves requests without Express). Domain errors keep their status and code; every 5xx is
 * logged at error with its cause and answered with a generic detail that reveals nothing; once the answer has
 * started, the connection is cut instead.
 */
export function writeProblem(
  req: IncomingMessage,
  res: ServerResponse,
  err: unknown,
  { logger, bodyLimit }: ErrorHandlerOptions,
): void {
  const appError = toAppError(err, bodyLimit);
  const requestId = requestIdOf(req as Request);
  const path = pathOf(req as Request);
  const where = { request_id: requestId, method: req.method, path };
  if (appError === undefined) logger.error({ ...where, err }, 'unexpected error while handling a request');
  else if (appError.status >= 500)
    logger.error({ ...where, err: appError, code: appError.code }, appError.message);

  if (res.headersSent) {
    // Too late for a problem body; cutting the connection tells the client the response is incomplete.
    res.destroy();
    return;
  }
  const problem = toProblem(appError, { requestId, path });
  codes.set(res, problem.code);
  const body = JSON.stringify(problem);
  res.statusCode = problem.status;
  for (const [name, value] of Object.entries(problemHeaders(appError))) res.setHeader(name, value);
  res.setHeader('Content-Type', PROBLEM_TYPE_HEADER);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/** The one error handler: every error becomes an RFC 9457 problem (see `writeProblem`). */
export function errorHandler(options: ErrorHandlerOptions): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => writeProblem(req, res, err, options);
}
