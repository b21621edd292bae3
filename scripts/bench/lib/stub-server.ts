/**
 * The cheap servers a benchmark runs in their own processes, so they never share an event loop with the load
 * generator: `upstream` answers `GET /v1/trades/<id>` with a fixed trade (about 300 bytes of JSON, like the
 * trades service's GET), `otlp-sink` accepts OTLP/HTTP exports and drops them, and `node-proxy UPSTREAM` is the
 * least a Node reverse proxy does (node:http, an undici keep-alive pool, the body piped back; no auth, logs,
 * metrics or tracing): the floor any gateway written in Node stands on.
 * usage: node -r tests/support/register-ts.cjs scripts/bench/lib/stub-server.ts upstream|otlp-sink PORT
 *        node -r tests/support/register-ts.cjs scripts/bench/lib/stub-server.ts node-proxy PORT UPSTREAM_URL
 * Prints `listening <port>` on stdout once it listens; stops on SIGTERM.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const TRADE = JSON.stringify({
  tradeId: 'T-BENCH-0001',
  accountId: 'DEMO-1',
  symbol: 'ACME',
  side: 'BUY',
  quantity: 100,
  price: '101.25',
  currency: 'USD',
  tradeTime: '2025-01-02T10:00:00.000Z',
  receivedAt: '2025-01-02T10:00:00.120Z',
  status: 'VALIDATED',
  version: 1,
  failures: [],
  updatedAt: '2025-01-02T10:00:00.450Z',
});
const TRADE_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': Buffer.byteLength(TRADE),
};

function upstream(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'GET' && req.url?.startsWith('/v1/trades/') === true) {
    res.writeHead(200, TRADE_HEADERS).end(TRADE);
    return;
  }
  req.resume();
  res.writeHead(404, { 'content-type': 'application/json', 'content-length': 2 }).end('{}');
}

let exportedBytes = 0;
function otlpSink(req: IncomingMessage, res: ServerResponse): void {
  req.on('data', (chunk: Buffer) => (exportedBytes += chunk.length));
  // An empty body is an empty ExportTraceServiceResponse (protobuf) and `{}` parses as one in JSON.
  req.on('end', () =>
    res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/json' }).end(),
  );
}

function nodeProxy(origin: string): (req: IncomingMessage, res: ServerResponse) => void {
  const pool = new Pool(origin, { connections: 64, keepAliveTimeout: 4_000 });
  return (req, res) => {
    pool
      .request({
        path: req.url ?? '/',
        method: req.method === 'GET' ? 'GET' : 'HEAD',
        headers: { 'x-forwarded-for': req.socket.remoteAddress ?? '' },
      })
      .then(({ statusCode, headers, body }) => {
        const type = headers['content-type'];
        const length = headers['content-length'];
        res.writeHead(statusCode, {
          'content-type': typeof type === 'string' ? type : 'application/octet-stream',
          ...(typeof length === 'string' ? { 'content-length': length } : {}),
        });
        body.pipe(res);
      })
      .catch(() => res.writeHead(502).end());
  };
}

const [mode, portArg = '0', upstreamUrl = ''] = process.argv.slice(2);
if (mode !== 'upstream' && mode !== 'otlp-sink' && !(mode === 'node-proxy' && upstreamUrl !== '')) {
  process.stderr.write('usage: stub-server.ts upstream|otlp-sink PORT | node-proxy PORT UPSTREAM_URL\n');
  process.exit(2);
}
const server = createServer(
  mode === 'upstream' ? upstream : mode === 'otlp-sink' ? otlpSink : nodeProxy(upstreamUrl),
);
// Longer than any client's idle timeout (nginx 60 s, the gateway's pool 4 s): the client closes idle
// connections first, so no request is ever sent on a connection this side is closing.
server.keepAliveTimeout = 65_000;
server.listen(Number(portArg), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  if (mode === 'otlp-sink') process.stdout.write(`received ${exportedBytes} bytes of spans\n`);
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
