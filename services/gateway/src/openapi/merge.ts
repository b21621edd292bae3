/**
 * Builds the gateway's public OpenAPI document from its upstreams' documents: only the paths the route table
 * exposes, one tag per service, components merged (a name two services use for different things is prefixed
 * with the service's name), the gateway's security schemes applied globally and its own answers added.
 */
import { isDeepStrictEqual } from 'node:util';
import { IDENTITY_HEADER_NAMES } from '@tradeflow/platform/identity';
import {
  GATEWAY_COMPONENTS,
  GATEWAY_SECURITY,
  gatewayResponsesFor,
  type JsonObject,
} from './gateway-answers';

export type { JsonObject } from './gateway-answers';

/** What the merge needs of a gateway route: the path prefix it exposes, its upstream and its scopes. */
export interface ExposedRoute {
  /** `/v1/trades` exposes `/v1/trades` and everything under `/v1/trades/` (a trailing `/`, `/*` or `/**` is ignored). */
  prefix: string;
  /** The name of the upstream (service) it forwards to. */
  upstream: string;
  /** Scope a GET, HEAD or OPTIONS needs, when the route asks for one. */
  readScope?: string;
  /** Scope every other method needs, when the route asks for one. */
  writeScope?: string;
}

/** An upstream's document as it served it. */
export interface ServiceDocument {
  service: string;
  document: JsonObject;
}

/** An upstream whose document is not available; `reason` is public (no host names or vendor errors). */
export interface MissingService {
  service: string;
  reason: string;
}

/** Everything one merge needs. */
export interface MergeInput {
  /** The available documents; their order is the order of the tags and of the clash resolution. */
  services: readonly ServiceDocument[];
  missing: readonly MissingService[];
  routes: readonly ExposedRoute[];
  /** The gateway's URL as clients see it; `/` (the document's own origin) by default. */
  serverUrl?: string;
  /** The version of the public document. */
  version?: string;
}

/** How each service fared, under `x-tradeflow-services` in the merged document. */
export interface ServiceStatus {
  available: boolean;
  /** The service's own document version, when available. */
  version?: string;
  /** Why it is missing, when it is. */
  reason?: string;
  /** Operations of the service the document carries. */
  operations: number;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const READ_METHODS = new Set(['get', 'head', 'options']);
const COMPONENT_REF = /^#\/components\/([^/]+)\/([^/]+)$/;
const COMPONENT_POINTER = /^(#\/components\/[^/]+\/[^/]+)(\/.*)?$/;
const IDENTITY_HEADERS = new Set(IDENTITY_HEADER_NAMES);

/** The public document: every exposed operation of `services`, plus what the gateway itself adds. */
export function mergeDocuments(input: MergeInput): JsonObject {
  const prefixes = input.routes.map((route) => ({ ...route, prefix: normalisePrefix(route.prefix) }));
  const components = cloneJson(GATEWAY_COMPONENTS) as Record<string, JsonObject>;
  const paths: Record<string, JsonObject> = {};
  const tags: JsonObject[] = [];
  const statuses: Record<string, ServiceStatus> = {};
  const operationIds = new Set<string>();

  for (const { service, document } of input.services) {
    const rename = componentRenames(service, document, components);
    const rewrite = (value: unknown): unknown => rewriteRefs(value, rename);
    addComponents(document, components, rename, rewrite);
    let operations = 0;
    for (const [path, rawItem] of Object.entries(asObject(document.paths))) {
      const route = owningRoute(prefixes, path);
      if (route?.upstream !== service || !isObject(rawItem)) continue;
      const item = rewrite(withoutServers(rawItem)) as JsonObject;
      if (Array.isArray(item.parameters))
        item.parameters = publicParameters(item.parameters, document, rename);
      for (const method of METHODS) {
        const operation = item[method];
        if (!isObject(operation)) continue;
        item[method] = publicOperation(operation, { service, method, route, document, rename, operationIds });
        operations += 1;
      }
      paths[path] = item;
    }
    statuses[service] = { available: true, version: stringOf(asObject(document.info).version), operations };
    tags.push(serviceTag(service, document));
  }
  for (const { service, reason } of input.missing) {
    statuses[service] = { available: false, reason, operations: 0 };
    tags.push({
      name: service,
      description: `Not available right now (${reason}); retried in the background.`,
    });
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Tradeflow public API',
      version: input.version ?? '0.1.0',
      description: describe(input),
    },
    servers: [{ url: input.serverUrl ?? '/', description: 'The Tradeflow gateway' }],
    security: cloneJson(GATEWAY_SECURITY),
    tags,
    paths,
    components,
    'x-tradeflow-services': statuses,
  };
}

/** The route the gateway sends `path` to: the longest prefix that matches, as the proxy picks it. */
export function owningRoute<R extends ExposedRoute>(routes: readonly R[], path: string): R | undefined {
  let best: R | undefined;
  for (const route of routes) {
    const prefix = normalisePrefix(route.prefix);
    const matches = path === prefix || path.startsWith(`${prefix}/`) || prefix === '';
    if (matches && (best === undefined || prefix.length > normalisePrefix(best.prefix).length)) best = route;
  }
  return best;
}

function normalisePrefix(prefix: string): string {
  return prefix.replace(/\/\*{1,2}$/, '').replace(/\/+$/, '');
}

/**
 * New names for the service's components that clash with different ones already merged. A component equal to
 * the merged one of the same name is shared, unless what it refers to was renamed (then it differs too), hence
 * the loop until nothing more is renamed.
 */
function componentRenames(
  service: string,
  document: JsonObject,
  merged: Record<string, JsonObject>,
): Map<string, string> {
  const rename = new Map<string, string>();
  const own = ownComponents(document);
  let changed = true;
  while (changed) {
    changed = false;
    for (const [kind, entries] of Object.entries(own)) {
      for (const [name, value] of Object.entries(entries)) {
        const key = refOf(kind, name);
        const existing = merged[kind]?.[name];
        if (rename.has(key) || existing === undefined) continue;
        if (isDeepStrictEqual(rewriteRefs(value, rename), existing)) continue;
        rename.set(key, refOf(kind, freeName(`${service}.${name}`, merged[kind] ?? {}, entries)));
        changed = true;
      }
    }
  }
  return rename;
}

/** The service's components minus its security schemes (the gateway's schemes replace them). */
function ownComponents(document: JsonObject): Record<string, JsonObject> {
  const { securitySchemes: _dropped, ...kinds } = asObject(document.components);
  const own: Record<string, JsonObject> = {};
  for (const [kind, entries] of Object.entries(kinds)) if (isObject(entries)) own[kind] = entries;
  return own;
}

function addComponents(
  document: JsonObject,
  merged: Record<string, JsonObject>,
  rename: Map<string, string>,
  rewrite: (value: unknown) => unknown,
): void {
  for (const [kind, entries] of Object.entries(ownComponents(document))) {
    const target = (merged[kind] ??= {});
    for (const [name, value] of Object.entries(entries)) {
      const renamed = rename.get(refOf(kind, name));
      const finalName = renamed === undefined ? name : (COMPONENT_REF.exec(renamed)?.[2] ?? name);
      if (renamed === undefined && target[name] !== undefined) continue; // equal: shared
      target[finalName] = rewrite(value);
    }
  }
}

function freeName(candidate: string, ...taken: JsonObject[]): string {
  let name = candidate;
  for (let n = 2; taken.some((names) => names[name] !== undefined); n += 1) name = `${candidate}.${n}`;
  return name;
}

function refOf(kind: string, name: string): string {
  return `#/components/${kind}/${name}`;
}

/** `ref` with its component renamed; a pointer into a component (`…/Market/properties/x`) keeps its tail. */
function renameRef(ref: string, rename: ReadonlyMap<string, string>): string {
  const match = COMPONENT_POINTER.exec(ref);
  const renamed = match?.[1] === undefined ? undefined : rename.get(match[1]);
  return renamed === undefined ? ref : `${renamed}${match?.[2] ?? ''}`;
}

/** A deep copy of `value` with every component reference (`$ref`, discriminator mappings) renamed. */
function rewriteRefs(value: unknown, rename: ReadonlyMap<string, string>, key?: string): unknown {
  if (typeof value === 'string')
    return key === '$ref' || key === 'mapping' ? renameRef(value, rename) : value;
  if (Array.isArray(value)) return value.map((entry) => rewriteRefs(entry, rename));
  if (!isObject(value)) return value;
  const copy: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    // Discriminator mapping values are references too: pass their parent's key down.
    copy[k] = rewriteRefs(v, rename, key === 'mapping' ? 'mapping' : k);
  }
  return copy;
}

interface OperationContext {
  service: string;
  method: string;
  route: ExposedRoute;
  document: JsonObject;
  rename: ReadonlyMap<string, string>;
  operationIds: Set<string>;
}

/** One operation as the public sees it: the service's tag, unique id, scope, no identity headers, our answers. */
function publicOperation(operation: JsonObject, ctx: OperationContext): JsonObject {
  const { security: _own, servers: _servers, ...rest } = operation;
  const result: JsonObject = { ...rest, tags: [ctx.service] };
  if (typeof rest.operationId === 'string') {
    let id = rest.operationId;
    if (ctx.operationIds.has(id)) id = freeId(`${ctx.service}.${id}`, ctx.operationIds);
    ctx.operationIds.add(id);
    result.operationId = id;
  }
  if (Array.isArray(rest.parameters))
    result.parameters = publicParameters(rest.parameters, ctx.document, ctx.rename);
  const scope = READ_METHODS.has(ctx.method) ? ctx.route.readScope : ctx.route.writeScope;
  if (scope !== undefined) {
    result['x-tradeflow-scope'] = scope;
    const description = stringOf(rest.description);
    const needs = `Needs the scope \`${scope}\`.`;
    result.description = description === undefined ? needs : `${description}\n\n${needs}`;
  }
  result.responses = byStatus({
    ...gatewayResponsesFor(rest.requestBody !== undefined),
    ...asObject(rest.responses),
  });
  return result;
}

/** Responses in status order (`default` last), the service's and the gateway's interleaved. */
function byStatus(responses: JsonObject): JsonObject {
  const rank = (status: string): number => (/^\d/.test(status) ? Number(status.replace(/X/gi, '0')) : 1000);
  return Object.fromEntries(Object.entries(responses).sort(([a], [b]) => rank(a) - rank(b)));
}

function freeId(candidate: string, taken: ReadonlySet<string>): string {
  let id = candidate;
  for (let n = 2; taken.has(id); n += 1) id = `${candidate}.${n}`;
  return id;
}

/** The parameters minus the identity headers: the gateway sets those itself and drops any a client sends. */
function publicParameters(
  parameters: unknown[],
  document: JsonObject,
  rename: ReadonlyMap<string, string>,
): unknown[] {
  return parameters.filter((parameter) => {
    const resolved = resolveParameter(parameter, document, rename);
    return !(
      resolved?.in === 'header' &&
      typeof resolved.name === 'string' &&
      IDENTITY_HEADERS.has(resolved.name.toLowerCase())
    );
  });
}

function resolveParameter(
  parameter: unknown,
  document: JsonObject,
  rename: ReadonlyMap<string, string>,
): JsonObject | undefined {
  if (!isObject(parameter)) return undefined;
  const ref = stringOf(parameter.$ref);
  if (ref === undefined) return parameter;
  // References are already renamed here: map back to the service's own name to look it up in its document.
  const original = [...rename].find(([, to]) => to === ref)?.[0] ?? ref;
  const match = COMPONENT_REF.exec(original);
  if (match?.[1] !== 'parameters' || match[2] === undefined) return undefined;
  const target = asObject(asObject(document.components).parameters)[match[2]];
  return isObject(target) ? target : undefined;
}

function withoutServers(item: JsonObject): JsonObject {
  const { servers: _servers, ...rest } = item;
  return rest;
}

function serviceTag(service: string, document: JsonObject): JsonObject {
  const info = asObject(document.info);
  const title = stringOf(info.title) ?? service;
  const summary = stringOf(info.description)
    ?.trim()
    .split(/\n\s*\n/)[0];
  return {
    name: service,
    description: summary === undefined ? title : `${title}: ${summary.replace(/\s*\n\s*/g, ' ')}`,
  };
}

function describe(input: MergeInput): string {
  const lines = [
    'Every public operation of Tradeflow, through its gateway. Authenticate with an API key in `x-api-key` ' +
      'or a JWT in `Authorization: Bearer`; each route needs a scope, and a consumer sees only the accounts it ' +
      'is bound to (another account answers 404, exactly like a missing one). Every error is an RFC 9457 ' +
      'problem (`application/problem+json`) with a stable `code`.',
    '',
    'Besides what each service answers, the gateway itself may answer 401 (no or bad credentials), 403 (a ' +
      'scope is missing), 413 (body too large), 429 (over the usage plan; see `Retry-After` and `RateLimit`), ' +
      '503 (the service is unavailable; its circuit is open) and 504 (the service did not answer in time).',
  ];
  const available = input.services.map((s) => s.service);
  if (available.length > 0) lines.push('', `Services: ${available.join(', ')}.`);
  if (input.missing.length > 0)
    lines.push(
      '',
      `**Missing right now:** ${input.missing.map((m) => `${m.service} (${m.reason})`).join(', ')}. ` +
        'Their operations appear once they answer; the gateway keeps asking in the background.',
    );
  return lines.join('\n');
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function cloneJson<T>(value: T): T {
  return structuredClone(value);
}
