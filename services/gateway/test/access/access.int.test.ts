/**
 * Access control as the proxy uses it, against DynamoDB Local: API keys (missing, malformed, unknown,
 * revoked, rotated), JWTs, the token bucket and the daily quota with their 429s and RateLimit headers, and
 * two replicas sharing the tables (revocation within the cache TTL, one daily quota between them).
 */
import request from 'supertest';
import { eventually } from '../../../../tests/support/eventually';
import { AccessHarness, ManualClock, problem } from './support/access-harness';
import { loadJose, type Jose } from './support/jose';

const JWT_SECRET = 'jwt-secret-for-tests-0123456789abcdef';
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'tradeflow-gateway';
const CACHE_TTL_MS = 400;

const ENV = {
  GATEWAY_KEY_CACHE_TTL: `${CACHE_TTL_MS}ms`,
  GATEWAY_KEY_NEGATIVE_CACHE_TTL: '100ms',
  GATEWAY_JWT_ISSUER: ISSUER,
  GATEWAY_JWT_AUDIENCE: AUDIENCE,
  GATEWAY_JWT_SECRET: JWT_SECRET,
  // The tests flush by hand; the timer must not race them.
  GATEWAY_USAGE_FLUSH_INTERVAL: '1h',
};

describe('gateway access control', () => {
  // Mid-morning UTC, so no test crosses midnight by accident; the quota test moves it on purpose.
  const clock = new ManualClock(Date.UTC(2031, 4, 6, 10, 0, 0));
  let replica: AccessHarness;
  let other: AccessHarness;
  let jose: Jose;

  beforeAll(async () => {
    jose = await loadJose();
    replica = await AccessHarness.start({ env: ENV, clock });
    other = await AccessHarness.start({ env: ENV, clock, tablePrefix: replica.tablePrefix });
  });

  afterAll(async () => {
    await other?.stop();
    await replica?.stop();
  });

  const token = (claims: { sub: string; aud?: string; iss?: string; expSeconds?: number }) => {
    const nowSeconds = Math.floor(clock.nowMs / 1000);
    return new jose.SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub)
      .setIssuer(claims.iss ?? ISSUER)
      .setAudience(claims.aud ?? AUDIENCE)
      .setIssuedAt(nowSeconds - 10)
      .setExpirationTime(nowSeconds + (claims.expSeconds ?? 300))
      .sign(new TextEncoder().encode(JWT_SECRET));
  };

  describe('API keys', () => {
    let key: string;
    beforeAll(async () => {
      key = await replica.consumerWithKey('alice');
    });

    it('when a request carries no credential, then 401 with a challenge naming both ways in', async () => {
      const res = await request(replica.probeApp).get('/probe');
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(problem(res).code).toBe('AUTH.MISSING_CREDENTIALS');
      expect(res.headers['www-authenticate']).toBe(
        'ApiKey realm="tradeflow", header="x-api-key", Bearer realm="tradeflow"',
      );
    });

    it('when the key is malformed, then 401 saying what a key looks like', async () => {
      const res = await replica.withKey('not-a-key');
      expect(res.status).toBe(401);
      expect(problem(res).code).toBe('AUTH.MALFORMED_API_KEY');
      expect(problem(res).detail).toContain('tfk_<key id>_<secret>');
    });

    it('when the key id is unknown or the secret wrong, then both 401s read the same', async () => {
      const [, keyId, secret] = /^tfk_([a-z0-9]+)_(.+)$/.exec(key) ?? [];
      const unknown = await replica.withKey(`tfk_ffffffffffffffff_${secret}`);
      const wrongSecret = await replica.withKey(`tfk_${keyId}_${'A'.repeat(43)}`);
      expect([unknown.status, wrongSecret.status]).toEqual([401, 401]);
      expect(problem(unknown).code).toBe('AUTH.INVALID_API_KEY');
      const { detail, code } = problem(wrongSecret);
      expect({ detail, code }).toEqual({ detail: problem(unknown).detail, code: problem(unknown).code });
    });

    it('when the key is valid, then the caller carries the consumer identity, its plan and RateLimit headers', async () => {
      const res = await replica.withKey(key);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        consumerId: 'alice',
        accounts: ['ACC-1', 'ACC-2'],
        scopes: ['trades:read', 'trades:write'],
        plan: 'default',
        method: 'api-key',
      });
      expect(res.headers['ratelimit-policy']).toBe('"burst";q=100;w=2, "daily";q=100000;w=86400');
      expect(res.headers.ratelimit).toMatch(/^"burst";r=\d+;t=1, "daily";r=\d+;t=50400$/);
    });

    it('when both an API key and a bearer token are sent, then 401 asking for one', async () => {
      const res = await replica.withKey(key).set('Authorization', 'Bearer abc');
      expect(res.status).toBe(401);
      expect(problem(res).code).toBe('AUTH.AMBIGUOUS_CREDENTIALS');
    });

    it('when a key is revoked on this replica, then its next request is refused', async () => {
      const revocable = await replica.consumerWithKey('bob');
      expect((await replica.withKey(revocable)).status).toBe(200);
      const keyId = revocable.split('_')[1] as string;
      const revoked = await replica.admin('post', `/consumers/bob/keys/${keyId}/revoke`);
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ keyId, state: 'revoked' });
      const res = await replica.withKey(revocable);
      expect(res.status).toBe(401);
      expect(problem(res).code).toBe('AUTH.INVALID_API_KEY');
    });

    it('when a key is revoked on another replica, then this one refuses it within the cache TTL', async () => {
      const revocable = await replica.consumerWithKey('carol');
      expect((await replica.withKey(revocable)).status).toBe(200); // now cached here
      const keyId = revocable.split('_')[1] as string;
      expect((await other.admin('post', `/consumers/carol/keys/${keyId}/revoke`)).status).toBe(200);
      // The deadline is the TTL plus slack for a busy machine, far below the TTL-less "never".
      await eventually(
        async () => ((await replica.withKey(revocable)).status === 401 ? true : undefined),
        'the revocation to reach the other replica',
        CACHE_TTL_MS + 2_500,
      );
    });

    it('when a consumer is deleted, then its keys stop working and are revoked', async () => {
      const doomed = await replica.consumerWithKey('dave');
      expect((await replica.admin('delete', '/consumers/dave')).status).toBe(204);
      expect((await replica.withKey(doomed)).status).toBe(401);
      expect((await replica.admin('get', '/consumers/dave')).status).toBe(404);
    });
  });

  describe('rotation', () => {
    it('when a key is rotated without grace, then the old key stops at once and the new one works', async () => {
      const old = await replica.consumerWithKey('erin');
      const keyId = old.split('_')[1] as string;
      const res = await replica.admin('post', `/consumers/erin/keys/${keyId}/rotate`);
      expect(res.status).toBe(201);
      const body = res.body as {
        key: string;
        keyId: string;
        previous: { state: string; replacedBy: string };
      };
      expect(body.previous).toMatchObject({ state: 'revoked', replacedBy: body.keyId });
      expect((await replica.withKey(old)).status).toBe(401);
      expect((await replica.withKey(body.key)).status).toBe(200);
    });

    it('when a key is rotated with a grace period, then both work until it ends, then only the new one', async () => {
      const old = await replica.consumerWithKey('frank');
      const keyId = old.split('_')[1] as string;
      const res = await replica
        .admin('post', `/consumers/frank/keys/${keyId}/rotate`)
        .send({ gracePeriodSeconds: 60 });
      expect(res.status).toBe(201);
      const fresh = (res.body as { key: string }).key;
      expect((await replica.withKey(old)).status).toBe(200);
      expect((await replica.withKey(fresh)).status).toBe(200);
      const listed = await replica.admin('get', '/consumers/frank/keys');
      expect((listed.body as { items: { keyId: string; state: string }[] }).items).toContainEqual(
        expect.objectContaining({ keyId, state: 'expiring' }),
      );

      clock.advance(61_000);
      expect((await replica.withKey(old)).status).toBe(401);
      expect((await replica.withKey(fresh)).status).toBe(200);
    });

    it('when a key already rotated is rotated again, then 409', async () => {
      const old = await replica.consumerWithKey('gina');
      const keyId = old.split('_')[1] as string;
      expect((await replica.admin('post', `/consumers/gina/keys/${keyId}/rotate`)).status).toBe(201);
      const again = await replica.admin('post', `/consumers/gina/keys/${keyId}/rotate`);
      expect(again.status).toBe(409);
      expect(problem(again).code).toBe('KEY.NOT_ROTATABLE');
    });
  });

  describe('usage plans', () => {
    it('when a burst goes beyond the plan, then 429 with Retry-After and RateLimit headers, then admitted after refill', async () => {
      const key = await replica.consumerWithKey('hank', { ratePerSecond: 1, burst: 3, dailyQuota: 1000 });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await replica.withKey(key)).status);
      expect(statuses).toEqual([200, 200, 200]);

      const refused = await replica.withKey(key);
      expect(refused.status).toBe(429);
      expect(problem(refused).code).toBe('RATE.LIMITED');
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.headers['ratelimit-policy']).toBe('"burst";q=3;w=3, "daily";q=1000;w=86400');
      expect(refused.headers.ratelimit).toBe(`"burst";r=0;t=1, "daily";r=997;t=${secondsToMidnight()}`);

      clock.advance(1000);
      const again = await replica.withKey(key);
      expect(again.status).toBe(200);
      expect(again.headers.ratelimit).toMatch(/^"burst";r=0;t=1, "daily";r=996;/);
    });

    it('when the daily quota is used up, then 429 until the next UTC day', async () => {
      const key = await replica.consumerWithKey('iris', { ratePerSecond: 100, burst: 100, dailyQuota: 3 });
      const startMs = clock.nowMs;
      clock.nowMs = Date.UTC(2031, 4, 6, 23, 59, 30);
      try {
        for (let i = 0; i < 3; i++) expect((await replica.withKey(key)).status).toBe(200);
        const refused = await replica.withKey(key);
        expect(refused.status).toBe(429);
        expect(problem(refused).code).toBe('QUOTA.EXCEEDED');
        expect(refused.headers['retry-after']).toBe('30');
        expect(refused.headers.ratelimit).toMatch(/"daily";r=0;t=30$/);

        clock.advance(29_000);
        expect((await replica.withKey(key)).status).toBe(429);
        clock.advance(1_000); // 00:00:00 UTC
        const nextDay = await replica.withKey(key);
        expect(nextDay.status).toBe(200);
        expect(nextDay.headers.ratelimit).toMatch(/"daily";r=2;t=86400$/);
      } finally {
        clock.nowMs = startMs + 24 * 3_600_000; // stay on the new day: earlier days' counts are gone
      }
    });

    it('when two replicas serve one consumer, then the daily quota counted in DynamoDB converges between them', async () => {
      const key = await replica.consumerWithKey('jack', { ratePerSecond: 100, burst: 100, dailyQuota: 5 });
      for (let i = 0; i < 3; i++) expect((await replica.withKey(key)).status).toBe(200);
      await replica.access.flushUsage();

      // The other replica's first sight of jack today reads the shared count in the background.
      expect((await other.withKey(key)).status).toBe(200);
      await eventually(async () => {
        await other.access.flushUsage();
        return other.access.limiter.quota.pending('jack') === 0 ? true : undefined;
      }, 'the other replica to flush');
      const last = await other.withKey(key);
      expect(last.status).toBe(200);
      expect(last.headers.ratelimit).toMatch(/"daily";r=0;/);
      expect((await other.withKey(key)).status).toBe(429);
      await other.access.flushUsage();
      await replica.access.flushUsage();
      // What the first replica learns at its next flush: the quota is spent.
      expect((await replica.withKey(key)).status).toBe(200); // its own view still said 2 left
      await replica.access.flushUsage();
      expect((await replica.withKey(key)).status).toBe(429);
    });

    it('when a plan is changed through the admin API, then its consumers get the new limits at once', async () => {
      const key = await replica.consumerWithKey('kate', { ratePerSecond: 1, burst: 1, dailyQuota: 1000 });
      expect((await replica.withKey(key)).status).toBe(200);
      expect((await replica.withKey(key)).status).toBe(429);
      const patched = await replica.admin('patch', '/plans/plan-kate').send({ burst: 50, ratePerSecond: 50 });
      expect(patched.status).toBe(200);
      clock.advance(1000);
      const statuses = await Promise.all(
        [1, 2, 3, 4, 5].map(() => replica.withKey(key).then((r) => r.status)),
      );
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
    });
  });

  describe('JWT bearer tokens', () => {
    beforeAll(async () => {
      await replica.consumerWithKey('jwt-user');
    });

    it('when the token is valid, then its subject is the caller', async () => {
      const res = await request(replica.probeApp)
        .get('/probe')
        .set('Authorization', `Bearer ${await token({ sub: 'jwt-user' })}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ consumerId: 'jwt-user', method: 'jwt', accounts: ['ACC-1', 'ACC-2'] });
    });

    it.each([
      ['expired', { sub: 'jwt-user', expSeconds: -60 }, 'expired'],
      ['for another audience', { sub: 'jwt-user', aud: 'someone-else' }, '"aud"'],
      ['from another issuer', { sub: 'jwt-user', iss: 'https://evil.test' }, '"iss"'],
      ['for an unknown consumer', { sub: 'nobody' }, 'not a known consumer'],
    ])('when the token is %s, then 401 invalid_token saying why', async (_what, claims, reason) => {
      const res = await request(replica.probeApp)
        .get('/probe')
        .set('Authorization', `Bearer ${await token(claims)}`);
      expect(res.status).toBe(401);
      expect(problem(res).code).toBe('AUTH.INVALID_TOKEN');
      expect(problem(res).detail).toContain(reason);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="tradeflow", error="invalid_token"/);
    });

    it('when the token is signed with another secret, then 401', async () => {
      const forged = await new jose.SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('jwt-user')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime(Math.floor(clock.nowMs / 1000) + 60)
        .sign(new TextEncoder().encode('another-secret-0123456789abcdefghij'));
      const res = await request(replica.probeApp).get('/probe').set('Authorization', `Bearer ${forged}`);
      expect(res.status).toBe(401);
      expect(problem(res).detail).toContain('signature');
    });

    it('when the Authorization scheme is not Bearer, then 401 pointing at x-api-key', async () => {
      const res = await request(replica.probeApp).get('/probe').set('Authorization', 'Basic dXNlcjpwYXNz');
      expect(res.status).toBe(401);
      expect(problem(res).code).toBe('AUTH.UNSUPPORTED_SCHEME');
    });
  });

  /** Seconds from the test clock to the next UTC midnight. */
  function secondsToMidnight(): number {
    const dayMs = 86_400_000;
    return Math.ceil(((Math.floor(clock.nowMs / dayMs) + 1) * dayMs - clock.nowMs) / 1000);
  }
});
