/**
 * Keeps the gateway's public OpenAPI document: asks every upstream for its `/openapi.json`, merges what
 * answered, asks the missing ones again every `refreshMs` and every upstream again every `maxAgeMs` (a service
 * redeployed with a changed API shows up without a gateway restart).
 */
import type { Logger } from '@tradeflow/platform/log';
import { mergeDocuments, type ExposedRoute, type JsonObject, type MissingService } from './merge';

/** Where the upstreams serve their documents and where the gateway serves the merged one. */
export const OPENAPI_JSON_PATH = '/openapi.json';

/** What `createPublicApi` needs. */
export interface PublicApiOptions {
  /** Upstream name → base URL (`http://127.0.0.1:8081`). */
  upstreams: Readonly<Record<string, string>>;
  /** The route table: which prefixes go to which upstream, with their scopes. */
  routes: readonly ExposedRoute[];
  logger: Logger;
  /** The HTTP client; the global fetch by default (tests pass fakes). */
  fetch?: typeof fetch;
  /** How soon a missing upstream is asked again; default 5 s. */
  refreshMs?: number;
  /** How often every upstream is asked again; default 5 min. */
  maxAgeMs?: number;
  /** Longest one upstream may take to answer; default 2 s. */
  timeoutMs?: number;
  /** The gateway's URL as clients see it, for `servers`; default `/` (the document's origin). */
  serverUrl?: string;
  /** The public document's version. */
  version?: string;
}

/** The public document and its refresh cycle. */
export interface PublicApi {
  /** The merged document as JSON text, once the first round of fetches settled. */
  json(): Promise<string>;
  /** The merged document as it stands (parsed), once the first round of fetches settled. */
  document(): Promise<JsonObject>;
  /** Asks every upstream again now (or joins the round in flight); resolves once the document reflects it. */
  refresh(): Promise<void>;
  /** The first round of fetches and the background cycle. Calling it again does nothing. */
  start(): void;
  /** Ends the background cycle (a fetch in flight finishes on its own; its result is dropped). */
  stop(): void;
}

/** Largest document accepted from an upstream, so a broken one cannot grow the gateway's memory unbounded. */
const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

/** Builds the public document from the upstreams' ones; `start()` begins fetching. */
export function createPublicApi(options: PublicApiOptions): PublicApi {
  const {
    upstreams,
    routes,
    logger,
    fetch: fetchFn = fetch,
    refreshMs = 5_000,
    maxAgeMs = 300_000,
    timeoutMs = 2_000,
  } = options;
  // Route-table order: the tags (and the clash resolution) follow it.
  const services = [...new Set(routes.map((route) => route.upstream))];
  const documents = new Map<string, JsonObject>();
  const failures = new Map<string, string>(services.map((s) => [s, 'not asked yet']));
  let merged: { json: string; document: JsonObject } = build();
  let firstRound: Promise<void> | undefined;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function build(): { json: string; document: JsonObject } {
    const available = services.flatMap((service) => {
      const document = documents.get(service);
      return document === undefined ? [] : [{ service, document }];
    });
    const missing: MissingService[] = services
      .filter((service) => !documents.has(service))
      .map((service) => ({ service, reason: failures.get(service) ?? 'not available' }));
    const document = mergeDocuments({
      services: available,
      missing,
      routes,
      serverUrl: options.serverUrl,
      version: options.version,
    });
    return { json: JSON.stringify(document), document };
  }

  async function fetchOne(service: string): Promise<void> {
    const base = upstreams[service];
    if (base === undefined) {
      failures.set(service, 'no upstream configured');
      return;
    }
    const url = `${base.replace(/\/+$/, '')}${OPENAPI_JSON_PATH}`;
    try {
      const document = await fetchDocument(url);
      documents.set(service, document);
      failures.delete(service);
    } catch (err) {
      const reason = err instanceof DocumentError ? err.publicReason : 'did not answer';
      // A document fetched before stays: a stale operation list beats an empty one during a redeploy.
      if (!documents.has(service)) failures.set(service, reason);
      logger.warn(
        { err, upstream: service, url, kept_previous: documents.has(service) },
        `the OpenAPI document of ${service} is not available (${reason})`,
      );
    }
  }

  async function fetchDocument(url: string): Promise<JsonObject> {
    const response = await fetchFn(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new DocumentError(`answered ${response.status}`);
    }
    const text = await response.text();
    if (text.length > MAX_DOCUMENT_BYTES) throw new DocumentError('served a document too large to merge');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new DocumentError('served a document that is not JSON', { cause });
    }
    if (!isOpenApiDocument(parsed)) throw new DocumentError('served a document that is not OpenAPI');
    return parsed;
  }

  function round(): Promise<void> {
    running ??= Promise.all(services.map((service) => fetchOne(service)))
      .then(() => {
        merged = build();
        const missing = services.filter((service) => !documents.has(service));
        if (missing.length > 0)
          logger.info({ missing }, 'public OpenAPI document built without some services');
      })
      .finally(() => {
        running = undefined;
        schedule();
      });
    return running;
  }

  function schedule(): void {
    if (stopped || firstRound === undefined) return;
    clearTimeout(timer);
    const missing = services.some((service) => !documents.has(service));
    timer = setTimeout(() => void round(), missing ? refreshMs : maxAgeMs);
    // The cycle never keeps the process alive on its own.
    timer.unref();
  }

  return {
    async json() {
      await firstRound;
      return merged.json;
    },
    async document() {
      await firstRound;
      return merged.document;
    },
    refresh: () => round(),
    start() {
      if (firstRound !== undefined || stopped) return;
      firstRound = round();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** Why an upstream's document is missing, in words that name no host, port or vendor error. */
class DocumentError extends Error {
  constructor(
    readonly publicReason: string,
    options?: ErrorOptions,
  ) {
    super(publicReason, options);
    this.name = 'DocumentError';
  }
}

function isOpenApiDocument(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { openapi, paths } = value as JsonObject;
  return typeof openapi === 'string' && typeof paths === 'object' && paths !== null && !Array.isArray(paths);
}
