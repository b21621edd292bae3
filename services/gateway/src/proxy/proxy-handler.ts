/**
 * The proxy: for a request whose path a route matches, in this order: authenticate, check the route's scope,
 * charge the caller's plan, check the body limit, then forward to the route's upstream and stream the answer
 * back. Bodies are streamed both ways, never buffered (a small body of a request that may be retried is the
 * one exception). Requests no route matches fall through to the next handler (the 404 problem).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, propagation, trace, type TextMapSetter } from '@opentelemetry/api';
import { AppError, PayloadTooLargeError } from '@tradeflow/platform/errors';
import { addAccessLogFields, requestIdOf, setRouteTemplate } from '@tradeflow/platform/http';
import { hasScope } from '@tradeflow/platform/identity';
import type { Logger } from '@tradeflow/platform/log';
import { BreakerErrorCode } from '@tradeflow/platform/resilience';
import type { Request, RequestHandler } from 'express';
import type { Dispatcher } from 'undici';
import type { AccessControl, Caller } from '../access/access-control';
import { accessErrorHeaders } from '../access/error-headers';
import {
  BadPathError,
  ClientClosedError,
  GatewayErrorCode,
  ScopeMissingError,
  UpstreamFailedError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from './errors';
import { ANONYMOUS_CONSUMER, type GatewayMetrics, type RequestLabels } from './gateway-metrics';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers';
import type { Route, RouteTable } from './route-table';
import { UpstreamFailureResponse, type Upstream, type UpstreamRequest } from './upstream';

/** Methods that only read: they need the route's read scope; every other method needs its write scope. */
const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Methods that may be sent twice (RFC 9110 §9.2.2); a POST joins them when it carries an Idempotency-Key. */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** Upstream answers worth another attempt; a 504 is not (the upstream already waited on its own dependency). */
const RETRY_STATUSES: ReadonlySet<number> = new Set([502, 503]);
/** Errors that mean the upstream could not be reached at all: nothing was processed. */
const CONNECT_ERRORS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** Errors where the connection broke before an answer: worth a retry for an idempotent request. */
const RETRYABLE_ERRORS: ReadonlySet<string> = new Set([
  ...CONNECT_ERRORS,
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
/** `.` or `..` as a path segment, plain or percent-encoded. */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;
/** First retry waits up to this long (full jitter), doubling per retry. */
const RETRY_BACKOFF_MS = 25;
/** A body at most this large whose request is refused is left for Node to read; a larger one closes the connection. */
const DRAIN_LIMIT_BYTES = 64 * 1024;

/** Writes propagated trace headers into undici's flat header list. */
const flatHeaderSetter: TextMapSetter<string[]> = {
  set: (carrier, key, value) => {
    carrier.push(key, value);
  },
};

/** One proxied request's state shared by its steps. */
interface Exchange {
  /** Aborted when the client leaves before its answer is finished: the upstream request is abandoned. */
  controller: AbortController;
  /** Called by the response's 'close' listener once the answer is over; the body pump sets it. */
  closed: (() => void) | undefined;
}

/** What the proxy needs. */
export interface ProxyOptions {
  routes: RouteTable;
  /** By upstream name; every route's upstream is here (the config checked it). */
  upstreams: ReadonlyMap<string, Upstream>;
  access: AccessControl;
  metrics: GatewayMetrics;
  logger: Logger;
  retry: { maxRetries: number; replayLimitBytes: number };
  /** How long an open breaker waits before its probe: the Retry-After of a CIRCUIT_OPEN answer. */
  breakerResetMs: number;
}

/** The proxy: which route a path belongs to, and the handling of one request of a route. */
export interface Proxy {
  /** The route of a request path (without its query), or undefined when none matches. */
  match(path: string): Route | undefined;
  /**
   * Proxies one request of `route` on plain node:http objects (Express's are ones too). On failure it rejects
   * with the error whose problem the answer must be, the headers that problem needs already set.
   */
  handle(req: IncomingMessage, res: ServerResponse, route: Route, path: string): Promise<void>;
}

/** The proxy over `options`. */
export function createProxy(options: ProxyOptions): Proxy {
  const templates = new Map(options.routes.routes.map((r) => [r, `${r.prefix}/*`]));
  return {
    match: (path) => options.routes.match(path),
    handle: (req, res, route, path) =>
      proxyRequest(options, route, templates.get(route) ?? route.prefix, path, req, res).catch(
        (err: unknown) => {
          prepareErrorAnswer(req, res, err);
          throw err;
        },
      ),
  };
}

/**
 * The proxy as Express middleware: handles every request a route matches, passes the others on. The gateway's
 * front door serves most proxied requests without Express; this is the way for the rest (CORS preflights).
 */
export function proxyMiddleware(proxy: Proxy): RequestHandler {
  return (req, res, next) => {
    const route = proxy.match(req.path);
    if (route === undefined) {
      next();
      return;
    }
    return proxy.handle(req, res, route, req.path);
  };
}

async function proxyRequest(
  options: ProxyOptions,
  route: Route,
  template: string,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = process.hrtime.bigint();
  const method = req.method ?? 'GET';
  const labels: RequestLabels = { route: route.name, consumer: ANONYMOUS_CONSUMER, method, status: 0 };
  // Aborted when the client leaves before its answer is finished: the upstream request is abandoned.
  const controller = new AbortController();
  const exchange: Exchange = { controller, closed: undefined };
  // One 'close' listener for everything the proxy does at the end: with tracing on, every listener on the
  // response is wrapped to run in the request's context, so each one costs.
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new ClientClosedError());
    labels.status = res.writableFinished ? res.statusCode : 499;
    options.metrics.requestFinished(labels, Number(process.hrtime.bigint() - started) / 1e9);
    exchange.closed?.();
  });
  setRouteTemplate(req as Request, template);
  addAccessLogFields(req, { upstream: route.upstream });
  const span = trace.getActiveSpan();
  span?.updateName(`${method} ${template}`);
  span?.setAttributes({
    'http.route': template,
    'tradeflow.route': route.name,
    'tradeflow.upstream': route.upstream,
  });

  const url = req.url ?? '';
  if (!url.startsWith('/') || DOT_SEGMENT.test(path)) throw new BadPathError();
  const caller = await options.access.authenticate(req.headers);
  labels.consumer = caller.consumerId;
  addAccessLogFields(req, { consumer: caller.consumerId });
  span?.setAttribute('tradeflow.consumer', caller.consumerId);

  const scope = READ_METHODS.has(method) ? route.readScope : route.writeScope;
  if (!hasScope(caller, scope)) throw new ScopeMissingError(scope, method, route.prefix);
  const admission = options.access.admit(caller);
  for (const name in admission.headers) res.setHeader(name, admission.headers[name] as string);

  const length = declaredLength(req);
  if (length !== undefined && length > route.bodyLimitBytes) throw new PayloadTooLargeError(route.bodyLimit);
  await forward(options, route, caller, method, url, req, res, length, exchange);
}

/** Content-Length as a number; undefined for a chunked body; 0 when there is no body. */
function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header !== undefined) return Number(header);
  return req.headers['transfer-encoding'] === undefined ? 0 : undefined;
}

async function forward(
  options: ProxyOptions,
  route: Route,
  caller: Caller,
  method: string,
  url: string,
  req: IncomingMessage,
  res: ServerResponse,
  length: number | undefined,
  exchange: Exchange,
): Promise<void> {
  const { controller } = exchange;
  const upstream = options.upstreams.get(route.upstream);
  if (upstream === undefined)
    throw new Error(`route ${route.name} names an unknown upstream ${route.upstream}`);
  const { maxRetries, replayLimitBytes } = options.retry;
  const idempotent =
    IDEMPOTENT_METHODS.has(method) || (method === 'POST' && req.headers['idempotency-key'] !== undefined);
  let mayRetry = route.retry && idempotent && maxRetries > 0;

  let body: UpstreamRequest['body'] = null;
  if (length !== 0) {
    if (mayRetry && length !== undefined && length <= replayLimitBytes) {
      // Small enough to keep: the request can be sent again.
      body = await readWhole(req);
    } else {
      // Streamed as it arrives, counted against the route's limit (a chunked body declares no length).
      body = Readable.from(limited(req, route), { objectMode: false });
      mayRetry = false;
    }
  }

  const clientGone = (): boolean => controller.signal.aborted || req.socket.destroyed;
  const headers = upstreamRequestHeaders(req, { identity: caller, requestId: requestIdOf(req as Request) });
  // The gateway's server span is the upstream's parent: the trace context is written here, once, so the undici
  // instrumentation (which skips a request that carries a traceparent) adds no client span per request. The
  // trace still reads client → gateway → service, and the gateway→service edge is the same.
  propagation.inject(context.active(), headers, flatHeaderSetter);
  const request: UpstreamRequest = {
    path: url,
    method,
    headers,
    body,
    signal: controller.signal,
    headersTimeout: route.timeoutMs,
    bodyTimeout: route.idleTimeoutMs,
  };

  upstream.budget.recordRequest();
  for (let attempt = 1; ; attempt++) {
    let response: Dispatcher.ResponseData;
    try {
      response = await upstream.send(request);
    } catch (err) {
      if (clientGone()) return;
      const failed = err instanceof UpstreamFailureResponse ? err.response : undefined;
      if (mayRetry && attempt <= maxRetries && isRetryable(err) && takeRetry(options, upstream)) {
        await failed?.body.dump();
        addAccessLogFields(req, { attempts: attempt + 1 });
        await sleep(Math.random() * RETRY_BACKOFF_MS * 2 ** (attempt - 1), undefined, {
          signal: controller.signal,
        }).catch(() => undefined);
        if (clientGone()) return;
        continue;
      }
      if (failed === undefined) throw toGatewayError(err, route, options.breakerResetMs);
      // The upstream's own answer (already a problem body): passed on as it sent it.
      response = failed;
    }
    await relay(options.logger, upstream, response, res, exchange, clientGone);
    return;
  }
}

/** Streams the upstream's answer to the client: its status, its end-to-end headers and its body. */
async function relay(
  logger: Logger,
  upstream: Upstream,
  response: Dispatcher.ResponseData,
  res: ServerResponse,
  exchange: Exchange,
  clientGone: () => boolean,
): Promise<void> {
  res.statusCode = response.statusCode;
  for (const [name, value] of clientResponseHeaders(response.headers)) res.setHeader(name, value);
  const broke = await pump(response.body, res, exchange);
  // The status line is out: all that is left is to cut the answer short, which pump did.
  if (broke !== undefined && !clientGone())
    logger.warn({ err: broke, upstream: upstream.name }, 'the upstream answer broke off while streaming');
}

/**
 * Writes `body` into `res` with backpressure; resolves when the answer is finished or closed, with the error
 * of a body that broke off (the answer is then cut). A client that leaves destroys the body, which abandons
 * the upstream request. Lighter than `pipe` (five listeners on the response, each wrapped by the tracing
 * context when tracing is on) or stream.pipeline (seven): the response gets a 'drain' listener only when it
 * pushes back, and its end is the proxy's one 'close' listener.
 */
function pump(body: Readable, res: ServerResponse, exchange: Exchange): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const resume = (): void => {
      body.resume();
    };
    body.on('data', (chunk: Buffer) => {
      if (!res.write(chunk)) {
        body.pause();
        res.once('drain', resume);
      }
    });
    body.once('end', () => res.end());
    body.once('error', (err) => {
      res.destroy();
      resolve(err);
    });
    exchange.closed = () => {
      if (!res.writableFinished) body.destroy();
      resolve(undefined);
    };
    // Closed already (the client left while the upstream's headers were on their way).
    if (res.closed) exchange.closed();
  });
}

/** The whole body of a small request, in memory (bounded by the replay limit the caller checked). */
async function readWhole(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req.iterator({ destroyOnReturn: false })) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The request body as it arrives, failing with a 413 once it passes the route's limit. Reading through an
 * iterator that does not destroy the request on return keeps the client's connection for the answer, whatever
 * happens to the upstream request.
 */
async function* limited(req: IncomingMessage, route: Route): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    const buffer = chunk as Buffer;
    seen += buffer.length;
    if (seen > route.bodyLimitBytes) throw new PayloadTooLargeError(route.bodyLimit);
    yield buffer;
  }
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isRetryable(err: unknown): boolean {
  if (err instanceof UpstreamFailureResponse) return RETRY_STATUSES.has(err.response.statusCode);
  const code = errorCode(err);
  return code !== undefined && RETRYABLE_ERRORS.has(code);
}

function takeRetry(options: ProxyOptions, upstream: Upstream): boolean {
  const granted = upstream.budget.tryRetry();
  options.metrics.retry(upstream.name, granted ? 'sent' : 'budget_exhausted');
  return granted;
}

/** The gateway's own problem for a failed exchange; nothing in it names the upstream's address or error. */
function toGatewayError(err: unknown, route: Route, breakerResetMs: number): AppError {
  if (err instanceof AppError) {
    if (err.code === BreakerErrorCode.CIRCUIT_OPEN)
      return new UpstreamUnavailableError(
        Math.ceil(breakerResetMs / 1000),
        GatewayErrorCode.CIRCUIT_OPEN,
        err,
      );
    if (err.code === BreakerErrorCode.SHUT_DOWN) return new UpstreamUnavailableError(1, undefined, err);
    return err;
  }
  const code = errorCode(err);
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return new UpstreamTimeoutError(route.timeoutMs, err);
  if (code !== undefined && CONNECT_ERRORS.has(code)) return new UpstreamUnavailableError(1, undefined, err);
  return new UpstreamFailedError(err);
}

/** Headers the error's answer needs, set before the platform's error handler writes the problem. */
function prepareErrorAnswer(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  if (res.headersSent) return;
  const headers = accessErrorHeaders(err);
  for (const name in headers) res.setHeader(name, headers[name] as string);
  if (err instanceof UpstreamUnavailableError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
  if (!req.complete) {
    // An unread body: a part of it already read, or a large one, is not worth reading just to keep the connection.
    const length = declaredLength(req);
    if (req.readableDidRead || length === undefined || length > DRAIN_LIMIT_BYTES)
      res.setHeader('Connection', 'close');
  }
}
