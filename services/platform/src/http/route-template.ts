import type { Request } from 'express';

/** The `route` label of requests that matched no route (404s, and errors raised before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

const templates = new WeakMap<Request, string>();
const tracked = new WeakSet<Request>();

/**
 * Starts recording the route template (`/trades/:id`, never the raw path) Express matches for `req`.
 * Express assigns `req.route` while `req.baseUrl` still holds the mount path of the router, but
 * restores `baseUrl` when an error unwinds the stack, so the template is captured at assignment.
 */
export function trackRouteTemplate(req: Request): void {
  if (tracked.has(req)) return;
  tracked.add(req);
  let route: unknown = (req as { route?: unknown }).route;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: unknown) => {
      route = value;
      const path = routePath(value);
      if (path !== undefined) templates.set(req, joinPaths(req.baseUrl, path));
    },
  });
}

/** Records `template` as the route of `req`, for handlers that route requests themselves (the gateway's prefixes). */
export function setRouteTemplate(req: Request, template: string): void {
  templates.set(req, template);
}

/** The matched route template of `req`, or `undefined` when no route matched (yet). */
export function routeTemplate(req: Request): string | undefined {
  return templates.get(req);
}

function routePath(route: unknown): string | undefined {
  if (typeof route !== 'object' || route === null || !('path' in route)) return undefined;
  const path: unknown = route.path;
  if (typeof path === 'string') return path;
  if (Array.isArray(path)) return path.map(String).join('|');
  return path instanceof RegExp ? path.toString() : undefined;
}

function joinPaths(base: string, path: string): string {
  if (base === '' || base === '/') return path;
  return path === '/' ? base : `${base}${path}`;
}
