/**
 * The reference-data service in-process: its modules on the memory bus and DynamoDB Local (DYNAMODB_ENDPOINT),
 * tables under a prefix unique to this file, HTTP on port 0, driven with supertest.
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { ReferenceChange } from '@tradeflow/contracts';
import type { Bus, SubscriptionHandle } from '@tradeflow/platform/bus';
import type { HttpServer } from '@tradeflow/platform/http';
import { ModuleManager } from '@tradeflow/platform/lifecycle';
import { busModule, CoreModule, metricsModule, storeModule } from '@tradeflow/platform/runtime';
import type { DynamoClients } from '@tradeflow/platform/store';
import type request from 'supertest';
import { asConsumer, requestAs } from '../../../tests/support/identity';
import { REFERENCE_CHANGES_TOPIC } from '../src/events/reference-topic';
import { KIND_PATHS } from '../src/http/routes';
import { ReferenceDataModule, referenceDataModules } from '../src/module';
import { DEFAULT_SEED, generateSeed, seedRecords } from '../src/seed';
import { loadSeed } from '../src/seed/load-seed';
import { referenceDataTables } from '../src/store/tables';

const endpoint = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';
const prefix = `it-refdata-${process.pid}-${Date.now().toString(36)}-`;
const now = new Date();
const seed = generateSeed({ seed: DEFAULT_SEED, now });

type Body = Record<string, unknown>;
interface Problem {
  status: number;
  code: string;
  errors?: { field: string; message: string }[];
}

/** One kind's worth of CRUD fixtures, for ids the seed does not use. */
interface KindCase {
  path: string;
  id: string;
  body: Body;
  patch: Body;
  patched: Body;
}

const asOf = new Date(now.getTime() - 60_000).toISOString();
const CASES: KindCase[] = [
  {
    path: 'markets',
    id: 'XTST',
    body: {
      code: 'XTST',
      name: 'Test Exchange',
      timeZone: 'Europe/Paris',
      open: '09:00',
      close: '17:30',
      tradingDays: [1, 2, 3, 4, 5],
      currency: 'EUR',
    },
    patch: { close: '17:35' },
    patched: { close: '17:35' },
  },
  {
    path: 'instruments',
    id: 'TSTX',
    body: {
      symbol: 'TSTX',
      name: 'Test Instrument SA',
      market: 'XTST',
      currency: 'EUR',
      lotSize: 1,
      tickSize: 0.01,
      status: 'ACTIVE',
    },
    patch: { status: 'HALTED' },
    patched: { status: 'HALTED' },
  },
  {
    path: 'prices',
    id: 'TSTX',
    body: { symbol: 'TSTX', price: 42.5, asOf, source: 'test' },
    patch: { price: 43 },
    patched: { price: 43 },
  },
  {
    path: 'fx',
    id: 'EUR',
    body: { currency: 'EUR', usdPerUnit: 1.08, asOf },
    patch: { usdPerUnit: 1.09 },
    patched: { usdPerUnit: 1.09 },
  },
  {
    path: 'accounts',
    id: 'TST-0001',
    body: {
      accountId: 'TST-0001',
      name: 'Test Account',
      currency: 'EUR',
      limits: { maxQuantity: 100, maxNotionalPerTrade: 10_000, maxNotionalPerDay: 50_000 },
      permittedMarkets: ['XTST'],
    },
    patch: { limits: { maxQuantity: 200 } },
    patched: { limits: { maxQuantity: 200, maxNotionalPerTrade: 10_000, maxNotionalPerDay: 50_000 } },
  },
  {
    path: 'restricted',
    id: 'TSTX',
    body: { symbol: 'TSTX', reason: 'Test restriction', since: asOf },
    patch: { reason: 'Still restricted' },
    patched: { reason: 'Still restricted' },
  },
];

const base = (path: string) => `/v1/reference/${path}`;

describe('reference-data service', () => {
  let manager: ModuleManager;
  let app: HttpServer['app'];
  /** Requests as a consumer bound to every account (an operator); the ownership tests use others. */
  let api: ReturnType<typeof requestAs>;
  let bus: Bus;
  let store: DynamoClients;
  let topicLog: SubscriptionHandle;
  /** The latest change of every key, as a consumer of the topic sees it. */
  const fromTopic = new Map<string, ReferenceChange>();
  let received = 0;

  /** Polls `done` until it holds or five seconds pass. */
  const eventually = async (what: string, done: () => boolean): Promise<void> => {
    const deadline = Date.now() + 5000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  /** Sends, and fails the test on any 5xx: bad input must never be a server error. */
  const send = async (test: request.Test): Promise<request.Response> => {
    const res = await test;
    if (res.status >= 500) throw new Error(`server error ${res.status}: ${JSON.stringify(res.body)}`);
    return res;
  };
  const problem = (res: request.Response): Problem => res.body as Problem;
  const fieldsOf = (res: request.Response): string[] => (problem(res).errors ?? []).map((e) => e.field);

  /** Every item of a list, following cursors; fails if an id shows up twice. */
  const listAll = async (path: string, limit: number): Promise<{ items: Body[]; pages: number }> => {
    const items: Body[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await send(api.get(base(path)).query({ limit, ...(cursor === null ? {} : { cursor }) }));
      expect(res.status).toBe(200);
      const page = res.body as { items: Body[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(limit);
      items.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    return { items, pages };
  };

  beforeAll(async () => {
    manager = new ModuleManager([
      metricsModule('reference-data'),
      busModule({ adapter: 'memory', brokers: [], clientId: 'test', topicPartitions: 3 }, '/test'),
      storeModule({ endpoint, region: 'us-east-1', tablePrefix: prefix, credentials: undefined }),
      ...referenceDataModules({
        store: { tablePrefix: prefix },
        lifecycle: { shutdownTimeoutMs: 2000 },
        referenceData: { seed: DEFAULT_SEED },
        referenceDataHttp: { host: '127.0.0.1', port: 0, bodyLimit: '64kb' },
      }),
    ]);
    await manager.start();
    app = manager.get<HttpServer>(ReferenceDataModule.http).app;
    api = requestAs(app, asConsumer('reference-admin'));
    bus = manager.get<Bus>(CoreModule.bus);
    store = manager.get<DynamoClients>(CoreModule.store);
    topicLog = await bus.subscribe<ReferenceChange>({
      group: 'test-topic-log',
      topics: [REFERENCE_CHANGES_TOPIC.name],
      fromBeginning: true,
      handler: (m) => {
        fromTopic.set(m.key, m.data);
        received++;
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await topicLog.close();
    const table = `${prefix}${referenceDataTables.reference.name}`;
    await store.client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    await manager.stop();
  });

  describe('seed', () => {
    it('when the seed is loaded twice, then the counts match the seed and the state is the same', async () => {
      const first = await loadSeed({
        store,
        bus,
        tablePrefix: prefix,
        seed: DEFAULT_SEED,
        now,
        chunkSize: 200,
      });
      expect(first.counts).toEqual({
        market: seed.markets.length,
        instrument: seed.instruments.length,
        price: seed.prices.length,
        fx: seed.fx.length,
        account: seed.accounts.length,
        restricted: seed.restricted.length,
      });
      expect(first.total).toBe(seedRecords(seed).length);
      expect([first.written, first.published]).toEqual([first.total, first.total]);
      const before = await listAll('instruments', 500);

      const second = await loadSeed({ store, bus, tablePrefix: prefix, seed: DEFAULT_SEED, now });
      expect(second.counts).toEqual(first.counts);
      expect(await listAll('instruments', 500)).toEqual(before);
      for (const [path, expected] of [
        ['markets', seed.markets],
        ['accounts', seed.accounts],
        ['fx', seed.fx],
        ['restricted', seed.restricted],
        ['prices', seed.prices],
      ] as const) {
        expect((await listAll(path, 500)).items).toHaveLength(expected.length);
      }
      await eventually('both loads on the topic', () => received >= 2 * first.total);
    });
  });

  describe('CRUD of every kind', () => {
    it.each(CASES)(
      'when a $path entity is created, read, patched and created again, then 201, 200, 200 and 409',
      async ({ path, id, body, patch, patched }) => {
        const created = await send(api.post(base(path)).send(body));
        expect(created.status).toBe(201);
        expect(created.headers.location).toBe(`${base(path)}/${id}`);
        expect(created.body).toEqual(body);

        const read = await send(api.get(`${base(path)}/${id}`));
        expect([read.status, read.body]).toEqual([200, body]);

        const updated = await send(api.patch(`${base(path)}/${id}`).send(patch));
        expect(updated.status).toBe(200);
        expect(updated.body).toEqual({ ...body, ...patched });
        expect((await send(api.get(`${base(path)}/${id}`))).body).toEqual({ ...body, ...patched });

        const again = await send(api.post(base(path)).send(body));
        expect([again.status, problem(again).code]).toEqual([409, 'REFERENCE.ALREADY_EXISTS']);
      },
    );

    it('when a restriction is deleted, then it is gone, a second delete is 404, and other kinds have no delete', async () => {
      expect((await send(api.delete(`${base('restricted')}/TSTX`))).status).toBe(204);
      expect((await send(api.get(`${base('restricted')}/TSTX`))).status).toBe(404);
      expect((await send(api.delete(`${base('restricted')}/TSTX`))).status).toBe(404);
      expect((await send(api.delete(`${base('markets')}/XTST`))).status).toBe(404);
      expect((await send(api.get(`${base('markets')}/XTST`))).status).toBe(200);
    });

    it('when an id is unknown, then GET and a valid PATCH answer 404 problems', async () => {
      const unknown: Record<string, string> = {
        markets: 'XNOP',
        instruments: 'NOPE',
        prices: 'NOPE',
        accounts: 'NOPE-1',
        restricted: 'NOPE',
        fx: 'CHF',
      };
      for (const { path, patch } of CASES) {
        const url = `${base(path)}/${unknown[path]}`;
        const got = await send(api.get(url));
        expect([path, got.status, problem(got).code]).toEqual([path, 404, 'REFERENCE.NOT_FOUND']);
        const patched = await send(api.patch(url).send(patch));
        expect([path, patched.status]).toEqual([path, 404]);
      }
    });

    it('when two patches of one account race, then both land (the loser re-applies on the new version)', async () => {
      const [a, b] = await Promise.all([
        send(api.patch(`${base('accounts')}/TST-0001`).send({ name: 'Renamed' })),
        send(api.patch(`${base('accounts')}/TST-0001`).send({ limits: { maxQuantity: 300 } })),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      const account = (await send(api.get(`${base('accounts')}/TST-0001`))).body as Body;
      expect(account).toMatchObject({ name: 'Renamed', limits: { maxQuantity: 300 } });
    });
  });

  describe('bad input', () => {
    it('when a body has unknown fields, then a 400 names each of them', async () => {
      const res = await send(
        api.post(base('fx')).send({ currency: 'CHF', usdPerUnit: 1.1, asOf, rate: 1, extra: true }),
      );
      expect(res.status).toBe(400);
      expect(fieldsOf(res).sort()).toEqual(['/extra', '/rate']);
    });

    it('when fields have the wrong types, then a 400 names every one of them', async () => {
      const res = await send(
        api
          .post(base('instruments'))
          .send({ ...CASES[1]?.body, symbol: 'NEWX', lotSize: 'one', tickSize: -1, status: 'OPEN' }),
      );
      expect(res.status).toBe(400);
      expect(fieldsOf(res).sort()).toEqual(['/lotSize', '/status', '/tickSize']);
    });

    it('when the JSON is malformed, the body is not an object or the media type is wrong, then 400 or 415', async () => {
      const malformed = await send(
        api.post(base('markets')).set('Content-Type', 'application/json').send('{"code": "XA'),
      );
      expect(malformed.status).toBe(400);
      const array = await send(api.post(base('markets')).send([1, 2]));
      expect(array.status).toBe(400);
      const empty = await send(api.post(base('markets')));
      expect(empty.status).toBe(400);
      const text = await send(api.post(base('markets')).set('Content-Type', 'text/plain').send('hi'));
      expect(text.status).toBe(415);
    });

    it('when a body is larger than the limit, then 413', async () => {
      const res = await send(
        api.post(base('restricted')).send({ symbol: 'BIGX', reason: 'x'.repeat(100_000), since: asOf }),
      );
      expect(res.status).toBe(413);
    });

    it('when a change breaks a rule, then 400 names the field and nothing is stored or published', async () => {
      const before = received;
      const orphan = await send(
        api.post(base('instruments')).send({ ...CASES[1]?.body, symbol: 'ORPH', market: 'XNOP' }),
      );
      expect([orphan.status, fieldsOf(orphan)]).toEqual([400, ['/market']]);
      const limits = await send(
        api.patch(`${base('accounts')}/TST-0001`).send({ limits: { maxNotionalPerTrade: 1e9 } }),
      );
      expect([limits.status, fieldsOf(limits)]).toEqual([400, ['/limits/maxNotionalPerTrade']]);
      const usd = await send(api.post(base('fx')).send({ currency: 'USD', usdPerUnit: 1, asOf }));
      expect([usd.status, fieldsOf(usd)]).toEqual([400, ['/currency']]);
      expect((await send(api.get(`${base('instruments')}/ORPH`))).status).toBe(404);
      expect(received).toBe(before);
    });

    it('when an update is empty or names the id, then 400', async () => {
      const empty = await send(api.patch(`${base('markets')}/XTST`).send({}));
      expect(empty.status).toBe(400);
      const rename = await send(api.patch(`${base('markets')}/XTST`).send({ code: 'XNEW' }));
      expect([rename.status, fieldsOf(rename)]).toEqual([400, ['/code']]);
    });

    it('when the id in the URL is not an id of the kind, then 400 names id', async () => {
      const res = await send(api.get(`${base('markets')}/not-a-mic`));
      expect([res.status, fieldsOf(res)]).toEqual([400, ['/id']]);
    });

    it('when the list query is bad, then 400 names limit, cursor or the unknown parameter', async () => {
      for (const [query, field] of [
        ['limit=0', '/limit'],
        ['limit=501', '/limit'],
        ['limit=abc', '/limit'],
        ['limit=1&limit=2', '/limit'],
        ['cursor=%%%', 'cursor'],
        ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
        ['sort=name', '/sort'],
      ] as const) {
        const res = await send(api.get(`${base('instruments')}?${query}`));
        expect({ query, status: res.status, fields: fieldsOf(res) }).toEqual({
          query,
          status: 400,
          fields: [field],
        });
      }
      const page = (await send(api.get(base('instruments')).query({ limit: 1 }))).body as {
        nextCursor: string;
      };
      const foreign = await send(api.get(base('accounts')).query({ cursor: page.nextCursor }));
      expect([foreign.status, fieldsOf(foreign)]).toEqual([400, ['cursor']]);
    });
  });

  describe('lists and the topic', () => {
    it('when a list is walked page by page, then every entity comes exactly once, in id order', async () => {
      const { items, pages } = await listAll('instruments', 37);
      const ids = items.map((i) => i.symbol as string);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual([...ids].sort());
      expect(ids.length).toBe(seed.instruments.length + 1);
      expect(pages).toBe(Math.ceil(ids.length / 37));
    });

    it('when a consumer rebuilds the state from the topic, then it matches what the API holds', async () => {
      const held = new Map<string, unknown>();
      for (const [kind, path] of Object.entries(KIND_PATHS)) {
        for (const item of (await listAll(path, 500)).items) {
          const id = (item.code ?? item.symbol ?? item.accountId ?? item.currency) as string;
          held.set(`${kind}:${id}`, item);
        }
      }
      await eventually('the topic to hold every change', () => {
        const live = [...fromTopic].filter(([, change]) => change.entity !== null);
        return live.length === held.size;
      });
      const rebuilt = new Map(
        [...fromTopic]
          .filter(([, change]) => change.entity !== null)
          .map(([key, change]) => [key, change.entity]),
      );
      expect(rebuilt).toEqual(held);
      expect(fromTopic.get('restricted:TSTX')?.entity).toBeNull();
    });
  });

  describe('ownership (the caller the gateway forwards)', () => {
    const [first, second, third] = [...seed.accounts].map((a) => a.accountId).sort();
    const own = () => requestAs(app, asConsumer('account-holder', [second ?? '', first ?? '', 'NOPE-9']));
    /** A problem with the request's own values (the id asked for, the request id) taken out. */
    const shape = (body: unknown, id: string): string => {
      const { requestId: _requestId, ...rest } = body as Record<string, unknown>;
      return JSON.stringify(rest).replaceAll(id, '<id>');
    };

    it('when a consumer bound to some accounts lists accounts, then only its own existing ones come, page by page in id order', async () => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await send(
          own()
            .get(base('accounts'))
            .query({ limit: 1, ...(cursor === null ? {} : { cursor }) }),
        );
        expect(res.status).toBe(200);
        const page = res.body as { items: Body[]; nextCursor: string | null };
        ids.push(...page.items.map((a) => a.accountId as string));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(ids).toEqual([first, second]);
    });

    it("when a consumer reads or patches another consumer's account, then it is the 404 of a missing account", async () => {
      await send(own().get(`${base('accounts')}/${first}`)).then((r) => expect(r.status).toBe(200));
      const foreign = await send(own().get(`${base('accounts')}/${third}`));
      const missing = await send(own().get(`${base('accounts')}/NOPE-8`));
      expect([foreign.status, missing.status]).toEqual([404, 404]);
      expect(shape(foreign.body, third ?? '')).toBe(shape(missing.body, 'NOPE-8'));
      const patched = await send(
        own()
          .patch(`${base('accounts')}/${third}`)
          .send({ name: 'Mine now' }),
      );
      expect([patched.status, problem(patched).code]).toEqual([404, 'REFERENCE.NOT_FOUND']);
      expect((await send(api.get(`${base('accounts')}/${third}`))).body).not.toMatchObject({
        name: 'Mine now',
      });
    });

    it('when a consumer creates an account it is not bound to, then it is the 404 of a missing account and nothing is stored', async () => {
      const fresh = await send(
        own()
          .post(base('accounts'))
          .send({ ...CASES[4]?.body, accountId: 'TST-0009' }),
      );
      expect([fresh.status, problem(fresh).code]).toEqual([404, 'REFERENCE.NOT_FOUND']);
      expect((await send(api.get(`${base('accounts')}/TST-0009`))).status).toBe(404);
      // An existing foreign account answers the same, not the 409 that would tell it exists.
      const existing = await send(
        own()
          .post(base('accounts'))
          .send({ ...CASES[4]?.body, accountId: third }),
      );
      expect(shape(existing.body, third ?? '')).toBe(shape(fresh.body, 'TST-0009'));
    });

    it('when a consumer creates one of its own accounts, then it is created and it reads it back', async () => {
      const mine = requestAs(app, asConsumer('new-holder', ['TST-0010']));
      const created = await send(
        mine.post(base('accounts')).send({ ...CASES[4]?.body, accountId: 'TST-0010' }),
      );
      expect(created.status).toBe(201);
      expect((await send(mine.get(`${base('accounts')}/TST-0010`))).status).toBe(200);
    });

    it('when a consumer bound to every account lists accounts, then it sees every one of them', async () => {
      const ids = (await listAll('accounts', 500)).items.map((a) => a.accountId);
      expect(ids).toEqual(expect.arrayContaining([first, second, third, 'TST-0001']));
      expect(ids.length).toBeGreaterThanOrEqual(seed.accounts.length + 1);
      const foreign = await send(api.get(`${base('accounts')}/${third}`));
      expect([foreign.status, (foreign.body as Body).accountId]).toEqual([200, third]);
    });

    it('when a consumer bound to no account lists accounts, then the list is empty', async () => {
      const none = requestAs(app, asConsumer('no-accounts', []));
      const res = await send(none.get(base('accounts')));
      expect([res.status, res.body]).toEqual([200, { items: [], nextCursor: null }]);
    });

    it('when a consumer bound to some accounts reads and writes other kinds, then it sees all of them and its write lands', async () => {
      const res = await send(own().get(base('markets')).query({ limit: 500 }));
      expect((res.body as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(seed.markets.length);
      const patched = await send(
        own()
          .patch(`${base('markets')}/XTST`)
          .send({ name: 'Test Exchange (renamed)' }),
      );
      expect([patched.status, (patched.body as Body).name]).toEqual([200, 'Test Exchange (renamed)']);
    });

    it.each([
      ['GET', base('markets')],
      ['GET', `${base('accounts')}/TST-0001`],
      ['POST', base('markets')],
      ['PATCH', `${base('markets')}/XTST`],
      ['DELETE', `${base('restricted')}/TSTX`],
    ])('when %s %s comes without identity headers, then it is a 401 problem', async (method, path) => {
      const anonymous = requestAs(app, {});
      const req =
        method === 'GET'
          ? anonymous.get(path)
          : method === 'POST'
            ? anonymous.post(path).send({})
            : method === 'PATCH'
              ? anonymous.patch(path).send({})
              : anonymous.delete(path);
      const res = await send(req);
      expect([res.status, problem(res).code]).toEqual([401, 'AUTH.NO_IDENTITY']);
    });

    it('when the API document is asked for without identity headers, then it is the openapi.yaml as JSON', async () => {
      const res = await send(requestAs(app, {}).get('/openapi.json'));
      expect([res.status, res.type]).toEqual([200, 'application/json']);
      const document = res.body as { openapi: string; paths: Record<string, unknown> };
      expect(document.openapi).toMatch(/^3\./);
      expect(Object.keys(document.paths)).toContain('/v1/reference/accounts/{id}');
    });
  });
});
