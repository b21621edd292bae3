import express, { type Request, type RequestHandler } from 'express';
import { UnsupportedMediaTypeError } from './problem';

/** Media types parsed as JSON: `application/json` and the `+json` family (`application/merge-patch+json`). */
export const JSON_MEDIA_TYPES: readonly string[] = ['application/json', 'application/*+json'];

export interface JsonBodyOptions {
  /** Largest body accepted, in the `bytes` package's notation (`'1mb'`). */
  limit: string;
  /** Other media types some routes parse themselves (`text/csv`); they pass the 415 check unparsed. */
  extraBodyTypes?: readonly string[];
}

/**
 * Refuses a body of any other media type with 415, then parses JSON bodies up to `limit`
 * (larger ones fail with 413, malformed ones with 400, both through the error handler).
 */
export function jsonBodyMiddleware({ limit, extraBodyTypes = [] }: JsonBodyOptions): RequestHandler[] {
  const accepted = [...JSON_MEDIA_TYPES, ...extraBodyTypes];
  const requireAccepted: RequestHandler = (req, _res, next) =>
    next(hasBody(req) && !req.is(accepted) ? new UnsupportedMediaTypeError(accepted) : undefined);
  return [requireAccepted, express.json({ limit, type: [...JSON_MEDIA_TYPES] })];
}

/** A request carries a body when it is chunked or declares a non-zero length (`POST` with `Content-Length: 0` does not). */
function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > 0);
}
