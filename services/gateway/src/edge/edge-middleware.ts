/**
 * What every public answer gets before routing: security headers (helmet) and, when origins are configured,
 * CORS (a preflight is answered here, before authentication, as browsers send it without credentials).
 */
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

/**
 * The security headers and CORS, in that order. The API answers JSON, so the Content-Security-Policy denies
 * everything; a page the gateway serves itself (`/docs`) sets its own policy.
 */
export function edgeMiddleware(settings: CorsSettings): RequestHandler[] {
  const handlers: RequestHandler[] = [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
    }),
  ];
  if (settings.origins === '*' || settings.origins.length > 0) {
    handlers.push(
      cors({
        origin: settings.origins === '*' ? '*' : [...settings.origins],
        methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
        allowedHeaders: ALLOWED_HEADERS,
        exposedHeaders: EXPOSED_HEADERS,
        maxAge: PREFLIGHT_MAX_AGE_S,
      }),
    );
  }
  return handlers;
}
