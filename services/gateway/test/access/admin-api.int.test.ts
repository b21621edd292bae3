/**
 * The admin API over HTTP against DynamoDB Local: its credential, validation (400 naming the field), 404s
 * and 409s, consumers, keys and plans.
 */
import request, { type Response } from 'supertest';
import { ADMIN_TOKEN, AccessHarness, problem } from './support/access-harness';

const fieldsOf = (res: Response): string[] => (problem(res).errors ?? []).map((e) => e.field);

describe('gateway admin API', () => {
  let gateway: AccessHarness;

  beforeAll(async () => {
    gateway = await AccessHarness.start();
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  describe('credential', () => {
    it('when a request has no token, then 401 with a Bearer challenge', async () => {
      const res = await request(gateway.adminApp).get('/admin/v1/plans');
      expect(res.status).toBe(401);
      expect(problem(res).code).toBe('ADMIN.UNAUTHORIZED');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="tradeflow-admin"');
    });

    it.each([
      ['a wrong token', `Bearer ${ADMIN_TOKEN.slice(0, -1)}x`],
      ['a longer token', `Bearer ${ADMIN_TOKEN}0`],
      ['the token under another scheme', `Basic ${ADMIN_TOKEN}`],
    ])('when a request has %s, then 401', async (_what, authorization) => {
      const res = await request(gateway.adminApp).get('/admin/v1/plans').set('Authorization', authorization);
      expect(res.status).toBe(401);
    });

    it('when an unknown admin path is asked without a token, then 401 rather than a map of what exists', async () => {
      expect((await request(gateway.adminApp).get('/admin/v1/nothing-here')).status).toBe(401);
    });
  });

  describe('consumers', () => {
    it('when a consumer is created, then it can be read, listed, updated and deleted', async () => {
      const created = await gateway.admin('post', '/consumers').send({
        id: 'acme',
        name: 'Acme Trading',
        accounts: ['ACME-1'],
        scopes: ['trades:read'],
      });
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe('/admin/v1/consumers/acme');
      expect(created.body).toMatchObject({ id: 'acme', plan: 'default', version: 1 });

      expect((await gateway.admin('get', '/consumers/acme')).body).toEqual(created.body);

      const updated = await gateway
        .admin('patch', '/consumers/acme')
        .send({ accounts: '*', scopes: ['trades:read', 'reference:read'] });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({
        accounts: '*',
        scopes: ['trades:read', 'reference:read'],
        version: 2,
      });

      const listed = await gateway.admin('get', '/consumers');
      expect((listed.body as { items: { id: string }[] }).items.map((c) => c.id)).toContain('acme');

      expect((await gateway.admin('delete', '/consumers/acme')).status).toBe(204);
      expect((await gateway.admin('get', '/consumers/acme')).status).toBe(404);
      expect((await gateway.admin('delete', '/consumers/acme')).status).toBe(404);
    });

    it('when a body is invalid, then 400 naming every bad field', async () => {
      const res = await gateway.admin('post', '/consumers').send({
        id: 'has space',
        accounts: ['A,B'],
        scopes: ['trades:fly'],
        colour: 'blue',
      });
      expect(res.status).toBe(400);
      expect(fieldsOf(res).sort()).toEqual(['/accounts/0', '/colour', '/id', '/name', '/scopes/0'].sort());
    });

    it('when a consumer names a plan that does not exist, then 400 on /plan', async () => {
      const res = await gateway
        .admin('post', '/consumers')
        .send({ id: 'planless', name: 'P', accounts: '*', scopes: [], plan: 'gold' });
      expect(res.status).toBe(400);
      expect(fieldsOf(res)).toEqual(['/plan']);
    });

    it('when the id is taken, then 409', async () => {
      const body = { id: 'twice', name: 'Twice', accounts: ['T-1'], scopes: ['trades:read'] };
      expect((await gateway.admin('post', '/consumers').send(body)).status).toBe(201);
      const again = await gateway.admin('post', '/consumers').send(body);
      expect(again.status).toBe(409);
      expect(problem(again).code).toBe('CONSUMER.EXISTS');
    });

    it('when an update changes nothing, then 400', async () => {
      await gateway
        .admin('post', '/consumers')
        .send({ id: 'still', name: 'S', accounts: ['S-1'], scopes: [] });
      const res = await gateway.admin('patch', '/consumers/still').send({});
      expect(res.status).toBe(400);
    });

    it('when consumers are listed page by page, then the cursor walks all of them once', async () => {
      for (const id of ['page-1', 'page-2', 'page-3']) {
        await gateway.admin('post', '/consumers').send({ id, name: id, accounts: ['P-1'], scopes: [] });
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: Response = await gateway
          .admin('get', '/consumers')
          .query({ limit: 2, ...(cursor === null ? {} : { cursor }) });
        expect(res.status).toBe(200);
        const page = res.body as { items: { id: string }[]; nextCursor: string | null };
        seen.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expect.arrayContaining(['page-1', 'page-2', 'page-3']));
    });

    it('when the query is wrong, then 400 naming it', async () => {
      expect(fieldsOf(await gateway.admin('get', '/consumers').query({ limit: 0 }))).toEqual(['/limit']);
      expect(fieldsOf(await gateway.admin('get', '/consumers').query({ cursor: 'bogus' }))).toEqual([
        'cursor',
      ]);
    });
  });

  describe('keys', () => {
    it('when keys are issued and listed, then the key is shown once and never its secret or hash again', async () => {
      await gateway
        .admin('post', '/consumers')
        .send({ id: 'keyed', name: 'K', accounts: ['K-1'], scopes: [] });
      const issued = await gateway.admin('post', '/consumers/keyed/keys');
      expect(issued.status).toBe(201);
      expect(issued.headers['cache-control']).toBe('no-store');
      const { key, keyId } = issued.body as { key: string; keyId: string };
      expect(key).toMatch(new RegExp(`^tfk_${keyId}_`));

      const listed = await gateway.admin('get', '/consumers/keyed/keys');
      expect(listed.status).toBe(200);
      const text = JSON.stringify(listed.body);
      expect(text).not.toContain(key.split('_').slice(2).join('_'));
      expect(text).not.toMatch(/secretHash|"key"/);
      expect((listed.body as { items: unknown[] }).items).toEqual([
        expect.objectContaining({ keyId, consumerId: 'keyed', state: 'active', hint: `tfk_${keyId}_…` }),
      ]);
    });

    it("when a key is revoked or rotated through another consumer's path, then 404", async () => {
      await gateway
        .admin('post', '/consumers')
        .send({ id: 'owner', name: 'O', accounts: ['O-1'], scopes: [] });
      await gateway
        .admin('post', '/consumers')
        .send({ id: 'intruder', name: 'I', accounts: ['I-1'], scopes: [] });
      const { keyId } = (await gateway.admin('post', '/consumers/owner/keys')).body as { keyId: string };
      expect((await gateway.admin('post', `/consumers/intruder/keys/${keyId}/revoke`)).status).toBe(404);
      expect((await gateway.admin('post', `/consumers/intruder/keys/${keyId}/rotate`)).status).toBe(404);
      expect((await gateway.admin('post', '/consumers/nobody/keys')).status).toBe(404);
      expect((await gateway.admin('get', '/consumers/nobody/keys')).status).toBe(404);
    });

    it('when a rotation asks for a bad grace period, then 400 naming it', async () => {
      await gateway
        .admin('post', '/consumers')
        .send({ id: 'graceful', name: 'G', accounts: ['G-1'], scopes: [] });
      const { keyId } = (await gateway.admin('post', '/consumers/graceful/keys')).body as { keyId: string };
      const res = await gateway
        .admin('post', `/consumers/graceful/keys/${keyId}/rotate`)
        .send({ gracePeriodSeconds: -5 });
      expect(res.status).toBe(400);
      expect(fieldsOf(res)).toEqual(['/gracePeriodSeconds']);
    });
  });

  describe('plans', () => {
    it('when plans are listed, then the built-in default is there, from config', async () => {
      const res = await gateway.admin('get', '/plans');
      expect(res.status).toBe(200);
      expect((res.body as { items: unknown[] }).items).toContainEqual({
        name: 'default',
        ratePerSecond: 50,
        burst: 100,
        dailyQuota: 100_000,
        source: 'config',
      });
    });

    it('when a plan is created, then it can be read, updated and assigned to a consumer', async () => {
      const created = await gateway
        .admin('post', '/plans')
        .send({ name: 'silver', ratePerSecond: 5, burst: 10, dailyQuota: 1000 });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'silver', source: 'store' });
      expect((await gateway.admin('get', '/plans/silver')).body).toMatchObject({ burst: 10 });
      const updated = await gateway.admin('patch', '/plans/silver').send({ dailyQuota: 2000 });
      expect(updated.body).toMatchObject({ ratePerSecond: 5, burst: 10, dailyQuota: 2000 });

      await gateway
        .admin('post', '/consumers')
        .send({ id: 'silvery', name: 'S', accounts: ['S-1'], scopes: [] });
      const assigned = await gateway.admin('patch', '/consumers/silvery').send({ plan: 'silver' });
      expect(assigned.body).toMatchObject({ plan: 'silver' });
    });

    it('when a plan body is invalid, then 400 naming the fields; a taken name is 409; an unknown one 404', async () => {
      const bad = await gateway
        .admin('post', '/plans')
        .send({ name: 'Bad Name', ratePerSecond: 0, burst: 1.5 });
      expect(bad.status).toBe(400);
      expect(fieldsOf(bad).sort()).toEqual(['/burst', '/dailyQuota', '/name', '/ratePerSecond']);
      await gateway
        .admin('post', '/plans')
        .send({ name: 'bronze', ratePerSecond: 1, burst: 1, dailyQuota: 1 });
      const taken = await gateway
        .admin('post', '/plans')
        .send({ name: 'bronze', ratePerSecond: 1, burst: 1, dailyQuota: 1 });
      expect(taken.status).toBe(409);
      expect((await gateway.admin('get', '/plans/platinum')).status).toBe(404);
      expect((await gateway.admin('patch', '/plans/platinum').send({ burst: 2 })).status).toBe(404);
    });

    it('when the default plan is changed, then a stored copy overrides the config', async () => {
      const res = await gateway.admin('patch', '/plans/default').send({ burst: 7 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        name: 'default',
        ratePerSecond: 50,
        burst: 7,
        dailyQuota: 100_000,
        source: 'store',
      });
      expect(gateway.access.plans.limits('default').burst).toBe(7);
    });
  });

  it('when a body is not JSON, then 400, never a 5xx', async () => {
    const res = await gateway
      .admin('post', '/consumers')
      .set('Content-Type', 'application/json')
      .send('{"id":');
    expect(res.status).toBe(400);
  });
});
