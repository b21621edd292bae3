import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { requestContext } from '../log';

/** Header that carries the request id in both directions. */
export const REQUEST_ID_HEADER = 'x-request-id';

const ACCEPTABLE = /^[A-Za-z0-9._-]{1,128}$/;
const ids = new WeakMap<Request, string>();

/** True for a client-chosen request id we are willing to echo and log: 1–128 of `[A-Za-z0-9._-]`. */
export function isAcceptableRequestId(value: unknown): value is string {
  return typeof value === 'string' && ACCEPTABLE.test(value);
}

/**
 * Gives every request an id (the caller's `x-request-id` when it is sane, else a fresh UUID), echoes
 * it in the response, and runs the rest of the request inside `requestContext` so log lines carry it.
 */
export function requestIdMiddleware(): RequestHandler {
  return (req, res, next) => {
    const offered = req.headers[REQUEST_ID_HEADER];
    const requestId = isAcceptableRequestId(offered) ? offered : randomUUID();
    ids.set(req, requestId);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    requestContext.run({ requestId }, () => next());
  };
}

/** The id `requestIdMiddleware` gave `req`; a fresh one (not remembered) if it never ran. */
export function requestIdOf(req: Request): string {
  return ids.get(req) ?? randomUUID();
}
