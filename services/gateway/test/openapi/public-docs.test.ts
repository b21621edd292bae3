import { createLogger } from '@tradeflow/platform/log';
import { eventually } from '../../../../tests/support/eventually';
import { createPublicApi, DOCS_CONTENT_SECURITY_POLICY, type JsonObject } from '../../src/openapi';
import {
  deadUrl,
  ROUTES,
  serviceDocument,
  startDocsGateway,
  startDocsGatewayOverServices,
  startFakeUpstream,
  type DocsGateway,
} from './support';

type Operation = { tags?: string[]; operationId?: string };

function operationsByTag(doc: JsonObject): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of Object.values(doc.paths as Record<string, Record<string, Operation>>))
    for (const op of Object.values(item))
      for (const tag of op.tags ?? []) counts[tag] = (counts[tag] ?? 0) + 1;
  return counts;
}

async function getJson(url: string): Promise<{ status: number; body: JsonObject }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as JsonObject };
}

describe('the public document and docs page, with fake upstreams serving the real service documents', () => {
  let gateway: DocsGateway | undefined;

  beforeAll(async () => {
    gateway = await startDocsGatewayOverServices();
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it("when every upstream answers, then /openapi.json carries every service's public operations and no ops endpoint", async () => {
    const { status, body } = await getJson(`${gateway?.url}/openapi.json`);
    expect(status).toBe(200);
    const counts = operationsByTag(body);
    expect(Object.keys(counts).sort()).toEqual(['reference-data', 'trades', 'validation']);
    expect(counts.trades).toBeGreaterThanOrEqual(8);
    expect(counts['reference-data']).toBeGreaterThanOrEqual(20);
    expect(Object.keys(body.paths as JsonObject)).toContain('/v1/validation/rules');
    expect(
      Object.keys(body.paths as JsonObject).filter(
        (p) => !/^\/v1\/(trades|accounts|reference|validation)/.test(p),
      ),
    ).toEqual([]);
    expect(body['x-tradeflow-services']).toMatchObject({
      trades: { available: true },
      'reference-data': { available: true },
      validation: { available: true },
    });
  });

  it('when the real documents are merged, then every reference resolves and operation ids are unique', async () => {
    const { body } = await getJson(`${gateway?.url}/openapi.json`);
    const components = body.components as Record<string, Record<string, unknown>>;
    const refs = new Set(JSON.stringify(body).match(/#\/components\/[^"]+/g) ?? []);
    const dangling = [...refs].filter((ref) => {
      // A pointer may go into a component (…/Market/properties/x): its component must exist.
      const [, kind = '', name = ''] = /^#\/components\/([^/]+)\/([^/]+)/.exec(ref) ?? [];
      return components[kind]?.[name] === undefined;
    });
    expect(dangling).toEqual([]);
    const ids = Object.values(body.paths as Record<string, Record<string, Operation>>).flatMap((item) =>
      Object.values(item).flatMap((op) => (op.operationId === undefined ? [] : [op.operationId])),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('when /docs is asked for, then it is an HTML page with its own policy and no inline script, served without a key', async () => {
    const response = await fetch(`${gateway?.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toBe(DOCS_CONTENT_SECURITY_POLICY);
    const html = await response.text();
    expect(html).toContain('docs/assets/swagger-ui-bundle.js');
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
  });

  it('when the page asks for its assets, then they come from the package with their types; other files are 404', async () => {
    const bundle = await fetch(`${gateway?.url}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    const css = await fetch(`${gateway?.url}/docs/assets/swagger-ui.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    await css.body?.cancel();
    expect((await fetch(`${gateway?.url}/docs/assets/package.json`)).status).toBe(404);
    expect((await fetch(`${gateway?.url}/docs/assets/..%2Fpackage.json`)).status).toBe(404);
  });

  it('when /docs/ has a trailing slash, then it redirects to /docs (the relative asset URLs need it)', async () => {
    const response = await fetch(`${gateway?.url}/docs/`, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(new URL(response.headers.get('location') ?? '', `${gateway?.url}/docs/`).pathname).toBe('/docs');
  });
});

describe('an upstream that is down', () => {
  it('when it is down at start, then the document is served without it (200) and it appears once it answers', async () => {
    const trades = await startFakeUpstream(serviceDocument('trades'));
    const reference = await startFakeUpstream(serviceDocument('reference-data'));
    await reference.down();
    const gateway = await startDocsGateway({
      trades: trades.url,
      'reference-data': reference.url,
      validation: await deadUrl(),
    });
    try {
      const first = await getJson(`${gateway.url}/openapi.json`);
      expect(first.status).toBe(200);
      expect(Object.keys(operationsByTag(first.body))).toEqual(['trades']);
      expect(first.body['x-tradeflow-services']).toMatchObject({
        'reference-data': { available: false, reason: 'did not answer' },
        validation: { available: false, reason: 'did not answer' },
      });
      // The reason names no host or port: the document is public.
      expect(JSON.stringify(first.body)).not.toContain('127.0.0.1');

      await reference.up();
      const later = await eventually(async () => {
        const { body } = await getJson(`${gateway.url}/openapi.json`);
        return operationsByTag(body)['reference-data'] === undefined ? undefined : body;
      }, 'reference-data to appear in the document');
      expect(later['x-tradeflow-services']).toMatchObject({ 'reference-data': { available: true } });
    } finally {
      await gateway.stop();
      await trades.down();
      await reference.down();
    }
  });
});

describe('createPublicApi', () => {
  const logger = createLogger({ service: 'test', level: 'silent' });

  it('when an upstream answers an error or something that is not OpenAPI, then it is missing with a public reason', async () => {
    const answers: Record<string, () => Response> = {
      'http://trades': () => new Response('{"openapi":"3.1.0","paths":{}}', { status: 200 }),
      'http://reference-data': () => new Response('oops', { status: 500 }),
      'http://validation': () => new Response('{"swagger":"2.0"}', { status: 200 }),
    };
    const fakeFetch = (input: string | URL | Request): Promise<Response> => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      return Promise.resolve(answers[url.origin]?.() ?? new Response('', { status: 404 }));
    };
    const api = createPublicApi({
      upstreams: {
        trades: 'http://trades/',
        'reference-data': 'http://reference-data',
        validation: 'http://validation',
      },
      routes: ROUTES,
      logger,
      fetch: fakeFetch,
    });
    api.start();
    try {
      expect((await api.document())['x-tradeflow-services']).toEqual({
        trades: { available: true, version: undefined, operations: 0 },
        'reference-data': { available: false, reason: 'answered 500', operations: 0 },
        validation: { available: false, reason: 'served a document that is not OpenAPI', operations: 0 },
      });
    } finally {
      api.stop();
    }
  });

  it('when a document was fetched once and its upstream fails later, then the document keeps it', async () => {
    let healthy = true;
    const fakeFetch = (): Promise<Response> =>
      healthy
        ? Promise.resolve(new Response(JSON.stringify(serviceDocument('validation'))))
        : Promise.reject(new TypeError('fetch failed'));
    const api = createPublicApi({
      upstreams: { validation: 'http://validation' },
      routes: ROUTES.filter((route) => route.upstream === 'validation'),
      logger,
      fetch: fakeFetch,
    });
    api.start();
    try {
      await api.document();
      healthy = false;
      await api.refresh();
      expect((await api.document())['x-tradeflow-services']).toMatchObject({
        validation: { available: true },
      });
    } finally {
      api.stop();
    }
  });
});
