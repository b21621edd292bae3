/**
 * The gateway's public API description: the upstreams' OpenAPI documents merged at `GET /openapi.json` and
 * Swagger UI at `GET /docs`, both public (no key). Mount them before the authenticated proxy routes.
 */
import type { Express } from 'express';
import type { ModuleDefinition } from '@tradeflow/platform/lifecycle';
import { DOCS_PATH, mountDocsPage } from './docs-page';
import { createPublicApi, OPENAPI_JSON_PATH, type PublicApi, type PublicApiOptions } from './public-api';

export { DOCS_CONTENT_SECURITY_POLICY, DOCS_PATH } from './docs-page';
export { GATEWAY_COMPONENTS, GATEWAY_SECURITY } from './gateway-answers';
export {
  mergeDocuments,
  owningRoute,
  type ExposedRoute,
  type JsonObject,
  type MergeInput,
  type MissingService,
  type ServiceDocument,
  type ServiceStatus,
} from './merge';
export { createPublicApi, OPENAPI_JSON_PATH, type PublicApi, type PublicApiOptions } from './public-api';

/** The name of the module whose value is the gateway's `PublicApi`. */
export const OPENAPI_MODULE = 'gateway-openapi';

/** The public paths this part serves (the proxy lets them through without a key). */
export const PUBLIC_DOC_PATHS: readonly string[] = [OPENAPI_JSON_PATH, DOCS_PATH, `${DOCS_PATH}/assets/`];

/** Mounts `GET /openapi.json` (the merged document) and `GET /docs` (Swagger UI) for `api`. */
export function mountPublicApi(api: PublicApi): (app: Express) => void {
  return (app) => {
    app.get(OPENAPI_JSON_PATH, async (_req, res) => {
      const json = await api.json();
      res.setHeader('Cache-Control', 'no-cache');
      res.type('application/json').send(json);
    });
    mountDocsPage(app);
  };
}

/**
 * The document and the page in one call: starts fetching the upstreams' documents now (the background cycle
 * never keeps the process alive) and returns the mount function. Prefer `openapiModule` in a module list, which
 * also stops the cycle on shutdown.
 */
export function openapiRoutes(options: PublicApiOptions): (app: Express) => void {
  const api = createPublicApi(options);
  api.start();
  return mountPublicApi(api);
}

/**
 * A module whose value is the `PublicApi`: it starts fetching when the module starts (without waiting: an
 * upstream that is down must not hold the gateway's start) and stops its cycle on shutdown. The HTTP module
 * depends on it and mounts `mountPublicApi(ctx.get(OPENAPI_MODULE))`.
 */
export function openapiModule(options: Omit<PublicApiOptions, 'logger'>): ModuleDefinition<PublicApi> {
  return {
    name: OPENAPI_MODULE,
    deps: [],
    init: (ctx) => {
      const api = createPublicApi({ ...options, logger: ctx.logger });
      return {
        value: api,
        start: () => {
          api.start();
          return Promise.resolve();
        },
        stop: () => {
          api.stop();
          return Promise.resolve();
        },
      };
    },
  };
}
