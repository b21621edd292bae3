/**
 * The interactive docs page: Swagger UI from the `swagger-ui-dist` package, served by the gateway itself (no
 * CDN: the page works on a machine without internet), with a Content-Security-Policy of its own.
 */
import { dirname, join } from 'node:path';
import type { Express, RequestHandler } from 'express';

/** Where the page lives on the public listener. */
export const DOCS_PATH = '/docs';

/** The files of swagger-ui-dist the page loads; nothing else of the package is reachable. */
const ASSETS: ReadonlySet<string> = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']);

/**
 * What Swagger UI needs and no more: its script and styles from here (it sets inline styles, hence
 * 'unsafe-inline' for styles only), SVG icons as data: URLs, and fetches to this origin (the document and
 * "Try it out"). Unlike helmet's default it has no `upgrade-insecure-requests`: the local shapes serve plain
 * HTTP on loopback, and an upgraded request there would fail.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Relative URLs, so the page also works when a proxy in front serves the gateway under a path prefix.
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Tradeflow API</title>
    <link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png" sizes="32x32">
    <link rel="stylesheet" href="docs/assets/swagger-ui.css">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="docs/assets/swagger-ui-bundle.js"></script>
    <script src="docs/assets/docs.js"></script>
  </body>
</html>
`;

// An external script, not an inline one: the policy allows no inline script. `validatorUrl: null` keeps
// Swagger UI from calling validator.swagger.io, which this machine (and the CSP) would refuse.
const INITIALISER = `'use strict';
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: new URL('openapi.json', window.location.href).href,
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: false,
    displayRequestDuration: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

/** Mounts `GET /docs` and its assets. */
export function mountDocsPage(app: Express): void {
  const assetDir = dirname(require.resolve('swagger-ui-dist/package.json'));
  const withPolicy: RequestHandler = (_req, res, next) => {
    // Replaces whatever policy a global middleware (helmet) set: this page needs its own.
    res.setHeader('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
    next();
  };

  app.get(DOCS_PATH, withPolicy, (req, res) => {
    // `/docs/` would make the page's relative URLs point under /docs/docs/.
    if (req.path.endsWith('/')) {
      res.redirect(301, `../${DOCS_PATH.slice(1)}`);
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(PAGE);
  });
  app.get(`${DOCS_PATH}/assets/docs.js`, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/javascript').send(INITIALISER);
  });
  app.get(`${DOCS_PATH}/assets/:file`, (req, res, next) => {
    const file = req.params.file;
    if (!ASSETS.has(file)) {
      next();
      return;
    }
    res.sendFile(join(assetDir, file), { maxAge: '1d' });
  });
}
