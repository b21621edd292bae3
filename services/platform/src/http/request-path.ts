import type { Request } from 'express';

/** The request's path without its query string (which may carry things that don't belong in logs). */
export function pathOf(req: Request): string {
  const url = req.originalUrl || req.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
