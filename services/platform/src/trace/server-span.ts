/**
 * A SERVER span per incoming request, made by the service itself instead of `@opentelemetry/instrumentation-http`
 * (see `startTracing`'s `incomingHttp`): what the instrumentation's server side records, without its cost (a
 * context switch to enter, the request and response emitters bound so every listener is wrapped).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Tracer,
} from '@opentelemetry/api';

/** Names the route of a request once it is answered (e.g. the platform's `routeTemplate`). */
export type RouteOf = (req: IncomingMessage) => string | undefined;

let serverTracer: Tracer | undefined;

/**
 * Starts the SERVER span of `req` (its parent the `traceparent` the request carries, through the registered
 * propagator) with the stable HTTP semantic attributes — `http.request.method`, `url.path`, `url.scheme`,
 * `network.protocol.version` — and ends it when `res` closes: `http.response.status_code`, `http.route` and the
 * span name `METHOD route` from `routeOf`, status ERROR on a 5xx or an answer cut short. Returns the context
 * to run the request in (one `context.with` by the caller); the span is its active span.
 */
export function startServerSpan(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  routeOf: RouteOf,
): Context {
  const method = req.method ?? 'GET';
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  serverTracer ??= trace.getTracer('@tradeflow/platform/http-server');
  const span = serverTracer.startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': method,
        'url.path': path,
        'url.scheme': 'http',
        'network.protocol.version': req.httpVersion,
      },
    },
    parent,
  );
  res.once('close', () => {
    const status = res.statusCode;
    const route = routeOf(req);
    if (route !== undefined) {
      span.updateName(`${method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    else if (!res.writableFinished) {
      span.setAttribute('error.type', 'aborted');
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'the answer was cut short' });
    }
    span.end();
  });
  return trace.setSpan(parent, span);
}
