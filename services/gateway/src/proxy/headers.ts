/**
 * What crosses the gateway in headers. Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are
 * dropped both ways; the client's identity, forwarding, request-id and trace headers are replaced by the
 * gateway's own; credentials stop at the gateway.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { identityHeaders, type Identity } from '@tradeflow/platform/identity';

/** Hop-by-hop headers, plus every `proxy-*` header (checked by prefix) and the names `Connection` lists. */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
]);

/**
 * Request headers the gateway sets itself or keeps: `host` (the upstream's), the forwarding headers, the request
 * id, the trace context (the proxy injects the gateway's server span), `expect` (Node already answered
 * 100-continue), and the credentials the gateway consumed.
 */
const REPLACED_ON_REQUEST: ReadonlySet<string> = new Set([
  'host',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-real-ip',
  'x-request-id',
  'traceparent',
  'tracestate',
  'baggage',
  'expect',
  'x-api-key',
  'authorization',
]);

/** The prefix of the identity headers; every header with it is the gateway's to set. */
const IDENTITY_PREFIX = 'x-tradeflow-';

/** Names listed in a `Connection` header: hop-by-hop for this message only. */
function connectionListed(value: string | string[] | undefined): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  const names = (Array.isArray(value) ? value.join(',') : value)
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== '' && n !== 'close' && n !== 'keep-alive');
  return names.length === 0 ? undefined : new Set(names);
}

function isHopByHop(name: string, listed: ReadonlySet<string> | undefined): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith('proxy-') || (listed !== undefined && listed.has(name));
}

/**
 * The identity headers of a caller as a flat list, built once per caller object (the authenticator hands out
 * the same object for a consumer until its cache entry is renewed).
 */
const identityLists = new WeakMap<Identity, readonly string[]>();

function identityList(identity: Identity): readonly string[] {
  let list = identityLists.get(identity);
  if (list === undefined) {
    list = Object.entries(identityHeaders(identity)).flat();
    identityLists.set(identity, list);
  }
  return list;
}

/** What the gateway adds to every forwarded request. */
export interface ForwardingContext {
  identity: Identity;
  requestId: string;
}

/**
 * The headers of the upstream request, as undici's flat `[name, value, ...]` list: the client's end-to-end
 * headers (repeated ones kept), then `x-forwarded-*`, the request id and the caller's identity.
 */
export function upstreamRequestHeaders(
  req: IncomingMessage,
  { identity, requestId }: ForwardingContext,
): string[] {
  const listed = connectionListed(req.headers.connection);
  const out: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (isHopByHop(name, listed) || REPLACED_ON_REQUEST.has(name) || name.startsWith(IDENTITY_PREFIX))
      continue;
    out.push(name, raw[i + 1] as string);
  }
  const client = req.socket.remoteAddress;
  if (client !== undefined) out.push('x-forwarded-for', client);
  out.push(
    'x-forwarded-proto',
    'encrypted' in req.socket && req.socket.encrypted === true ? 'https' : 'http',
  );
  if (req.headers.host !== undefined) out.push('x-forwarded-host', req.headers.host);
  out.push('x-request-id', requestId);
  for (const item of identityList(identity)) out.push(item);
  return out;
}

/** Response headers the gateway keeps as its own: the request id and the gateway's `traceresponse`. */
const KEPT_ON_RESPONSE: ReadonlySet<string> = new Set(['x-request-id', 'traceresponse']);

/** The upstream's response headers without hop-by-hop ones, and without those the gateway answers itself. */
export function clientResponseHeaders(headers: IncomingHttpHeaders): [string, string | string[]][] {
  const listed = connectionListed(headers.connection);
  const out: [string, string | string[]][] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || isHopByHop(name, listed) || KEPT_ON_RESPONSE.has(name)) continue;
    out.push([name, value]);
  }
  return out;
}
