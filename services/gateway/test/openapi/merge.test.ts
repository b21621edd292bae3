import { mergeDocuments, owningRoute, type ExposedRoute, type JsonObject } from '../../src/openapi';

const problemSchema = (extra: string): JsonObject => ({
  type: 'object',
  properties: { code: { type: 'string' }, [extra]: { type: 'string' } },
});

const trades: JsonObject = {
  openapi: '3.1.0',
  info: { title: 'Tradeflow trades', version: '1.2.0', description: 'Trade intake.\n\nMore text.' },
  servers: [{ url: 'http://127.0.0.1:8081' }],
  paths: {
    '/v1/trades': {
      post: {
        operationId: 'submit-trade',
        tags: ['intake'],
        parameters: [
          { $ref: '#/components/parameters/Consumer' },
          { name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } },
        ],
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Trade' } } } },
        responses: {
          '202': { description: 'Accepted' },
          '503': { $ref: '#/components/responses/Unavailable' },
        },
      },
    },
    '/v1/trades/{tradeId}': {
      parameters: [{ name: 'X-Tradeflow-Accounts', in: 'header', schema: { type: 'string' } }],
      get: {
        operationId: 'get-trade',
        responses: {
          '200': { description: 'The trade' },
          '404': { $ref: '#/components/responses/NotFound' },
        },
      },
    },
    '/v1/accounts/{accountId}/trades': {
      get: { operationId: 'list', responses: { '200': { description: 'ok' } } },
    },
    '/livez': { get: { operationId: 'livez', responses: { '200': { description: 'alive' } } } },
  },
  components: {
    securitySchemes: { internal: { type: 'apiKey', in: 'header', name: 'x-internal' } },
    parameters: { Consumer: { name: 'x-tradeflow-consumer', in: 'header', schema: { type: 'string' } } },
    schemas: {
      Problem: problemSchema('trades'),
      Money: { type: 'string', pattern: '^[0-9.]+$' },
      Trade: { type: 'object', properties: { price: { $ref: '#/components/schemas/Money' } } },
    },
    responses: {
      NotFound: {
        description: 'Not found',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
      Unavailable: { description: 'Bus down' },
    },
  },
};

const reference: JsonObject = {
  openapi: '3.1.0',
  info: { title: 'Tradeflow reference data', version: '2.0.0' },
  paths: {
    '/v1/reference/markets': {
      get: {
        operationId: 'list',
        responses: { '200': { description: 'ok' }, '404': { $ref: '#/components/responses/NotFound' } },
      },
    },
    // Not exposed: its longest matching prefix (/v1/trades) belongs to the trades upstream.
    '/v1/trades/shadow': { get: { operationId: 'shadow', responses: { '200': { description: 'ok' } } } },
  },
  components: {
    schemas: {
      // Same name, different content: must be renamed, and what refers to it must follow.
      Problem: problemSchema('reference'),
      // A pointer into a renamed component follows the rename and keeps its tail.
      ProblemCode: { $ref: '#/components/schemas/Problem/properties/reference' },
      // Same name and content: shared.
      Money: { type: 'string', pattern: '^[0-9.]+$' },
      // A schema equal to trades' Trade in text, but its Money... is equal too: shared.
      Trade: { type: 'object', properties: { price: { $ref: '#/components/schemas/Money' } } },
    },
    responses: {
      // Equal in text to trades' NotFound, but it refers to a Problem that differs: renamed as well.
      NotFound: {
        description: 'Not found',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    },
  },
};

const routes: ExposedRoute[] = [
  { prefix: '/v1/trades/**', upstream: 'trades', readScope: 'trades:read', writeScope: 'trades:write' },
  { prefix: '/v1/accounts', upstream: 'trades', readScope: 'trades:read', writeScope: 'trades:write' },
  { prefix: '/v1/reference/', upstream: 'reference-data', readScope: 'reference:read' },
  { prefix: '/v1/validation', upstream: 'validation' },
];

function merged(): JsonObject {
  return mergeDocuments({
    services: [
      { service: 'trades', document: structuredClone(trades) },
      { service: 'reference-data', document: structuredClone(reference) },
    ],
    missing: [{ service: 'validation', reason: 'did not answer' }],
    routes,
  });
}

const paths = (doc: JsonObject): Record<string, Record<string, JsonObject>> =>
  doc.paths as Record<string, Record<string, JsonObject>>;
const components = (doc: JsonObject, kind: string): Record<string, unknown> =>
  (doc.components as Record<string, Record<string, unknown>>)[kind] ?? {};

describe('mergeDocuments', () => {
  it('when a path is under a route of its own service, then it is kept; ops endpoints and foreign prefixes are not', () => {
    expect(Object.keys(paths(merged())).sort()).toEqual([
      '/v1/accounts/{accountId}/trades',
      '/v1/reference/markets',
      '/v1/trades',
      '/v1/trades/{tradeId}',
    ]);
  });

  it('when two services name different components alike, then the later one is prefixed and its references follow', () => {
    const doc = merged();
    const schemas = components(doc, 'schemas');
    expect(schemas.Problem).toEqual(problemSchema('trades'));
    expect(schemas['reference-data.Problem']).toEqual(problemSchema('reference'));
    expect(schemas.ProblemCode).toEqual({
      $ref: '#/components/schemas/reference-data.Problem/properties/reference',
    });
    // NotFound is textually equal, but it points at a Problem that differs, so it is renamed too.
    const responses = components(doc, 'responses');
    expect(responses['reference-data.NotFound']).toEqual({
      description: 'Not found',
      content: {
        'application/problem+json': { schema: { $ref: '#/components/schemas/reference-data.Problem' } },
      },
    });
    expect(paths(doc)['/v1/reference/markets']?.get?.responses).toMatchObject({
      '404': { $ref: '#/components/responses/reference-data.NotFound' },
    });
    expect(paths(doc)['/v1/trades/{tradeId}']?.get?.responses).toMatchObject({
      '404': { $ref: '#/components/responses/NotFound' },
    });
  });

  it('when two services define a component identically, then it is kept once under its own name', () => {
    const schemas = components(merged(), 'schemas');
    expect(Object.keys(schemas).filter((name) => name.endsWith('Money'))).toEqual(['Money']);
    expect(Object.keys(schemas).filter((name) => name.endsWith('Trade'))).toEqual(['Trade']);
  });

  it('when a reference points at a component, then the component exists in the merged document', () => {
    const doc = merged();
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) {
      const [, kind, name] = /#\/components\/([^/]+)\/([^/"]+)/.exec(ref) ?? [];
      expect({ ref, found: components(doc, kind ?? '')[name ?? ''] !== undefined }).toEqual({
        ref,
        found: true,
      });
    }
  });

  it('when an upstream is missing, then the document still serves the others and names the missing one', () => {
    const doc = merged();
    expect(doc['x-tradeflow-services']).toEqual({
      trades: { available: true, version: '1.2.0', operations: 3 },
      'reference-data': { available: true, version: '2.0.0', operations: 1 },
      validation: { available: false, reason: 'did not answer', operations: 0 },
    });
    expect((doc.info as JsonObject).description).toContain(
      '**Missing right now:** validation (did not answer)',
    );
  });

  it('when merged, then the gateway is the only server and ApiKey or bearer is required everywhere', () => {
    const doc = merged();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: '/', description: 'The Tradeflow gateway' }]);
    expect(doc.security).toEqual([{ ApiKey: [] }, { bearer: [] }]);
    expect(components(doc, 'securitySchemes')).toEqual({
      ApiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }) as unknown,
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }) as unknown,
    });
  });

  it("when an operation is merged, then the gateway's answers are added and the service's own answer for a status wins", () => {
    const submit = paths(merged())['/v1/trades']?.post;
    expect(Object.keys(submit?.responses as JsonObject)).toEqual([
      '202',
      '401',
      '403',
      '413',
      '429',
      '503',
      '504',
    ]);
    expect(submit?.responses).toMatchObject({
      '401': { $ref: '#/components/responses/GatewayUnauthorized' },
      '429': { $ref: '#/components/responses/GatewayTooManyRequests' },
      '503': { $ref: '#/components/responses/Unavailable' },
      '504': { $ref: '#/components/responses/GatewayTimeout' },
    });
    const tooMany = components(merged(), 'responses').GatewayTooManyRequests as JsonObject;
    expect(Object.keys(tooMany.headers as JsonObject)).toEqual([
      'Retry-After',
      'RateLimit-Policy',
      'RateLimit',
    ]);
    // A GET has no body, so no 413 of the gateway's.
    expect(paths(merged())['/v1/trades/{tradeId}']?.get?.responses).not.toHaveProperty('413');
  });

  it('when a service documents identity headers, then they are not in the public document (the gateway sets them)', () => {
    const doc = merged();
    expect(paths(doc)['/v1/trades']?.post?.parameters).toEqual([
      { name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } },
    ]);
    expect(paths(doc)['/v1/trades/{tradeId}']?.parameters).toEqual([]);
  });

  it('when operations are merged, then each carries its service tag, a unique id and the scope its route needs', () => {
    const doc = merged();
    expect(doc.tags).toEqual([
      { name: 'trades', description: 'Tradeflow trades: Trade intake.' },
      { name: 'reference-data', description: 'Tradeflow reference data' },
      { name: 'validation', description: expect.stringContaining('Not available right now') as unknown },
    ]);
    const submit = paths(doc)['/v1/trades']?.post;
    expect(submit).toMatchObject({ tags: ['trades'], 'x-tradeflow-scope': 'trades:write' });
    expect(submit?.description).toBe('Needs the scope `trades:write`.');
    expect(paths(doc)['/v1/accounts/{accountId}/trades']?.get?.operationId).toBe('list');
    expect(paths(doc)['/v1/reference/markets']?.get).toMatchObject({
      operationId: 'reference-data.list',
      tags: ['reference-data'],
      'x-tradeflow-scope': 'reference:read',
    });
  });

  it("when a service brings its own servers and security schemes, then they are dropped (the gateway's apply)", () => {
    const doc = merged();
    expect(components(doc, 'securitySchemes')).not.toHaveProperty('internal');
    expect(JSON.stringify(doc.paths)).not.toContain('8081');
  });
});

describe('owningRoute', () => {
  it('when prefixes nest, then the longest one that matches at a segment boundary owns the path', () => {
    const table = [
      { prefix: '/v1', upstream: 'a' },
      { prefix: '/v1/trades', upstream: 'b' },
    ];
    expect(owningRoute(table, '/v1/trades/1')?.upstream).toBe('b');
    expect(owningRoute(table, '/v1/tradesx')?.upstream).toBe('a');
    expect(owningRoute(table, '/v2')).toBeUndefined();
  });
});
