// The HEALTHCHECK of the service images (slim images have no curl): GET /livez on the service's own port,
// exit 0 on a 2xx answer within the timeout, 1 otherwise. The port is the one the service listens on: its
// `<SERVICE>_HTTP_PORT` variable (TRADES_HTTP_PORT, GATEWAY_HTTP_PORT, ...) or its default (docs/deploy.md).
// usage: node healthcheck.cjs [service]      (default: $SERVICE, which the image sets)
'use strict';

/** Default port of every service; tests/ship/bundle.test.ts checks these against the services' config. */
const DEFAULT_PORTS = {
  gateway: 8080,
  trades: 8081,
  'reference-data': 8082,
  validation: 8083,
  workflows: 8084,
  notifications: 8085,
};
const TIMEOUT_MS = 2500;

const service = process.argv[2] ?? process.env.SERVICE ?? '';
const variable = `${service.toUpperCase().replace(/-/g, '_')}_HTTP_PORT`;
const port = process.env[variable] ?? DEFAULT_PORTS[service];
if (port === undefined) {
  process.stderr.write(`healthcheck: no port known for service '${service}' (set ${variable})\n`);
  process.exit(2);
}
fetch(`http://127.0.0.1:${port}/livez`, { signal: AbortSignal.timeout(TIMEOUT_MS) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  (err) => {
    process.stderr.write(`healthcheck: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
