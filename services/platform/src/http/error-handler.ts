import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from '../log';
import { PROBLEM_CONTENT_TYPE, problemHeaders, routeNotFound, toAppError, toProblem } from './problem';
import { requestIdOf } from './request-id';
import { pathOf } from './request-path';

const codes = new WeakMap<Response, string>();

/** The problem code a response was sent with, for the access log. */
export function problemCodeOf(res: Response): string | undefined {
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
 * The one error handler: every error becomes an RFC 9457 problem. Domain errors keep their status and
 * code; every 5xx is logged at error with its cause and answered with a generic detail that reveals nothing.
 */
export function errorHandler({ logger, bodyLimit }: ErrorHandlerOptions): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const appError = toAppError(err, bodyLimit);
    const requestId = requestIdOf(req);
    const path = pathOf(req);
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
    res
      .status(problem.status)
      .set({ ...problemHeaders(appError), 'Content-Type': PROBLEM_CONTENT_TYPE })
      .send(JSON.stringify(problem));
  };
}
