/**
 * The authenticator against an in-memory repository: challenges, JWT switched off, and the caches (a
 * remembered miss, a hit within the TTL, eviction, keys verified once per cache entry).
 */
import { createLogger } from '@tradeflow/platform/log';
import { keyFrom } from '../../src/access/api-keys';
import { AuthenticationError, Authenticator } from '../../src/access/authenticator';
import type { Consumer, StoredKey } from '../../src/access/model';

const KEY = keyFrom('0123456789abcdef', 'S'.repeat(43));

class MemoryRepository {
  keys = new Map<string, StoredKey>();
  consumers = new Map<string, Consumer>();
  keyReads = 0;

  getKey(keyId: string): Promise<StoredKey | undefined> {
    this.keyReads++;
    return Promise.resolve(this.keys.get(keyId));
  }

  getConsumer(id: string): Promise<Consumer | undefined> {
    return Promise.resolve(this.consumers.get(id));
  }
}

function setup(ttlMs = 60_000) {
  const repository = new MemoryRepository();
  repository.consumers.set('acme', {
    id: 'acme',
    name: 'Acme',
    accounts: '*',
    scopes: ['trades:read'],
    plan: 'default',
    createdAt: '2031-01-01T00:00:00.000Z',
    updatedAt: '2031-01-01T00:00:00.000Z',
    version: 1,
  });
  repository.keys.set(KEY.keyId, {
    keyId: KEY.keyId,
    consumerId: 'acme',
    secretHash: KEY.secretHash,
    status: 'active',
    createdAt: '2031-01-01T00:00:00.000Z',
  });
  const authenticator = new Authenticator({
    repository,
    jwt: undefined,
    cache: { ttlMs, negativeTtlMs: ttlMs, max: 100 },
    clock: () => Date.UTC(2031, 0, 2),
    logger: createLogger({ service: 'test', level: 'silent' }),
  });
  return { repository, authenticator };
}

async function refusal(promise: Promise<unknown>): Promise<AuthenticationError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof AuthenticationError) return err;
  throw new Error(`expected an AuthenticationError, got ${String(err)}`);
}

describe('Authenticator', () => {
  it('when JWT is not configured, then the challenge offers only ApiKey and bearer tokens are refused', async () => {
    const { authenticator } = setup();
    const missing = await refusal(authenticator.authenticate({}));
    expect(missing.headers['WWW-Authenticate']).toBe('ApiKey realm="tradeflow", header="x-api-key"');
    expect(missing.message).toBe('An API key is required: send it in the x-api-key header.');
    const bearer = await refusal(authenticator.authenticate({ authorization: 'Bearer a.b.c' }));
    expect(bearer.code).toBe('AUTH.BEARER_NOT_ACCEPTED');
  });

  it('when the key is valid, then the caller is its consumer with the method it used', async () => {
    const { authenticator } = setup();
    const caller = await authenticator.authenticate({ 'x-api-key': KEY.key });
    expect(caller).toEqual({
      consumerId: 'acme',
      accounts: '*',
      scopes: new Set(['trades:read']),
      plan: 'default',
      method: 'api-key',
    });
  });

  it('when the same unknown key id comes again within the negative TTL, then the store is asked once', async () => {
    const { authenticator, repository } = setup();
    const unknown = keyFrom('ffffffffffffffff', 'S'.repeat(43)).key;
    for (let i = 0; i < 5; i++) await refusal(authenticator.authenticate({ 'x-api-key': unknown }));
    expect(repository.keyReads).toBe(1);
  });

  it('when a key is revoked in the store, then the cached record serves until evicted', async () => {
    const { authenticator, repository } = setup();
    await authenticator.authenticate({ 'x-api-key': KEY.key });
    repository.keys.set(KEY.keyId, { ...(repository.keys.get(KEY.keyId) as StoredKey), status: 'revoked' });
    await expect(authenticator.authenticate({ 'x-api-key': KEY.key })).resolves.toMatchObject({
      consumerId: 'acme',
    });
    authenticator.evictKey(KEY.keyId);
    expect((await refusal(authenticator.authenticate({ 'x-api-key': KEY.key }))).code).toBe(
      'AUTH.INVALID_API_KEY',
    );
  });

  it("when a key's consumer is gone, then the key is refused like any invalid key", async () => {
    const { authenticator, repository } = setup();
    repository.consumers.clear();
    expect((await refusal(authenticator.authenticate({ 'x-api-key': KEY.key }))).code).toBe(
      'AUTH.INVALID_API_KEY',
    );
  });

  it('when the key header is sent twice, then it is malformed', async () => {
    const { authenticator } = setup();
    const twice = await refusal(authenticator.authenticate({ 'x-api-key': [KEY.key, KEY.key] }));
    expect(twice.code).toBe('AUTH.MALFORMED_API_KEY');
  });

  describe('verified keys', () => {
    it('when a verified key is presented again, before and after its cache entry ends, then it passes and the store is read once per entry', async () => {
      const { authenticator, repository } = setup();
      for (let i = 0; i < 3; i++)
        await expect(authenticator.authenticate({ 'x-api-key': KEY.key })).resolves.toMatchObject({
          consumerId: 'acme',
          method: 'api-key',
        });
      expect(repository.keyReads).toBe(1);
      authenticator.evictKey(KEY.keyId);
      await expect(authenticator.authenticate({ 'x-api-key': KEY.key })).resolves.toMatchObject({
        consumerId: 'acme',
      });
      expect(repository.keyReads).toBe(2);
    });

    it('when a verified key is revoked through this replica, then its very next request is refused', async () => {
      const { authenticator, repository } = setup();
      await authenticator.authenticate({ 'x-api-key': KEY.key });
      await authenticator.authenticate({ 'x-api-key': KEY.key });
      // What the admin API does on a revocation here: the store first, then the eviction.
      repository.keys.set(KEY.keyId, { ...(repository.keys.get(KEY.keyId) as StoredKey), status: 'revoked' });
      authenticator.evictKey(KEY.keyId);
      expect((await refusal(authenticator.authenticate({ 'x-api-key': KEY.key }))).code).toBe(
        'AUTH.INVALID_API_KEY',
      );
    });

    it('when a verified key id comes with another secret, then it is refused', async () => {
      const { authenticator } = setup();
      await authenticator.authenticate({ 'x-api-key': KEY.key });
      const forged = keyFrom(KEY.keyId, 'T'.repeat(43)).key;
      expect((await refusal(authenticator.authenticate({ 'x-api-key': forged }))).code).toBe(
        'AUTH.INVALID_API_KEY',
      );
    });

    it("when a verified key's consumer is evicted and gone, then the key is refused", async () => {
      const { authenticator, repository } = setup();
      await authenticator.authenticate({ 'x-api-key': KEY.key });
      repository.consumers.clear();
      authenticator.evictConsumer('acme');
      expect((await refusal(authenticator.authenticate({ 'x-api-key': KEY.key }))).code).toBe(
        'AUTH.INVALID_API_KEY',
      );
    });
  });
});
