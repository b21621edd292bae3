// The HEALTHCHECK of the service images (slim images have no curl): GET /livez (or /readyz) on the service's
// own port, exit 0 on a 2xx answer within the timeout, 1 otherwise. The service is $SERVICE (the image sets
// it); the port is the one it listens on: its `<SERVICE>_HTTP_PORT` variable (TRADES_HTTP_PORT, ...) or its
// default. docker-compose.yml probes /readyz, so a service counts as healthy for `depends_on` once it serves.
// usage: node healthcheck.cjs [livez|readyz]      (default livez, the image's HEALTHCHECK)
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

const probe = process.argv[2] ?? 'livez';
const service = process.env.SERVICE ?? '';
const variable = `${service.toUpperCase().replace(/-/g, '_')}_HTTP_PORT`;
const port = process.env[variable] ?? DEFAULT_PORTS[service];
if (probe !== 'livez' && probe !== 'readyz') {
  process.stderr.write(`healthcheck: probe '${probe}' is neither livez nor readyz\n`);
  process.exit(2);
}
if (port === undefined) {
  process.stderr.write(`healthcheck: no port known for service '${service}' (set ${variable})\n`);
  process.exit(2);
}
fetch(`http://127.0.0.1:${port}/${probe}`, { signal: AbortSignal.timeout(TIMEOUT_MS) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  (err) => {
    process.stderr.write(`healthcheck: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
