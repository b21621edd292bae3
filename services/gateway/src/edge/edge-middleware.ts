/**
 * What every public answer gets before routing: security headers (helmet) and, when origins are configured,
 * CORS (a preflight is answered here, before authentication, as browsers send it without credentials).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** Browser origins allowed to call the API: `*` for any, none (CORS off) for an empty list. */
export interface CorsSettings {
  origins: '*' | readonly string[];
}

/** Headers a browser client may send besides the simple ones. */
const ALLOWED_HEADERS = ['Content-Type', 'Authorization', 'X-Api-Key', 'Idempotency-Key', 'X-Request-Id'];
/** Response headers a browser client may read besides the simple ones. */
const EXPOSED_HEADERS = [
  'X-Request-Id',
  'Location',
  'Retry-After',
  'RateLimit',
  'RateLimit-Policy',
  'traceresponse',
];
/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_S = 600;

/** Helmet's settings: the API answers JSON, so the Content-Security-Policy denies everything. */
const HELMET_OPTIONS = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
} as const;

/**
 * The headers helmet sets on every answer, computed once by running helmet against a recording response: they
 * do not depend on the request, and setting a ready object costs a fraction of running helmet's dozen middleware
 * per request (the front door's way).
 */
export function securityHeaders(): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: unknown) => {
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name];
    },
  };
  let done = false;
  helmet(HELMET_OPTIONS)(
    { headers: {}, method: 'GET' } as IncomingMessage,
    recorder as unknown as ServerResponse,
    (err?: unknown) => {
      if (err !== undefined) throw err instanceof Error ? err : new Error('helmet failed');
      done = true;
    },
  );
  if (!done) throw new Error('helmet did not finish synchronously; its headers cannot be precomputed');
  return headers;
}

/** The CORS middleware for `settings`, or undefined when CORS is off. */
export function corsMiddleware(settings: CorsSettings): RequestHandler | undefined {
  if (settings.origins !== '*' && settings.origins.length === 0) return undefined;
  return cors({
    origin: settings.origins === '*' ? '*' : [...settings.origins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_S,
  });
}

/**
 * The security headers and CORS, in that order, as Express middleware: what every answer Express gives gets
 * (the front door sets the same on the requests it serves). A page the gateway serves itself (`/docs`) sets its
 * own policy.
 */
export function edgeMiddleware(settings: CorsSettings): RequestHandler[] {
  const headers = securityHeaders();
  const handlers: RequestHandler[] = [
    (_req, res, next) => {
      res.set(headers);
      next();
    },
  ];
  const cors = corsMiddleware(settings);
  if (cors !== undefined) handlers.push(cors);
  return handlers;
}
