/**
 * Who is calling: an API key in `x-api-key` or a JWT in `Authorization: Bearer`. Key records and consumers
 * are cached for a few seconds (lru-cache with a TTL), so a revocation on another replica takes effect
 * within that TTL; this replica's admin API evicts at once. Unknown key ids are cached for a shorter time,
 * so a flood of made-up keys does not become a flood of DynamoDB reads.
 *
 * Every refusal is a 401 whose detail says what is wrong with the credential without telling an unknown
 * key id from a known one with a wrong secret, a revoked or an expired key.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { UnauthorizedError } from '@tradeflow/platform/errors';
import { ALL_ACCOUNTS, type Identity } from '@tradeflow/platform/identity';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Caller } from './access-control';
import { parseKey, secretMatches } from './api-keys';
import { InvalidTokenError, type JwtVerifier } from './jwt';
import { keyState, type Consumer, type StoredKey } from './model';
import type { AccessRepository } from './store/access-repository';

/** The header carrying an API key. */
export const API_KEY_HEADER = 'x-api-key';

/** The realm named in WWW-Authenticate challenges. */
export const AUTH_REALM = 'tradeflow';

/** A 401 with the challenge the response must carry (RFC 9110 §11.6.1: every 401 sends WWW-Authenticate). */
export class AuthenticationError extends UnauthorizedError {
  /** Response headers for the 401: `WWW-Authenticate`. */
  readonly headers: Record<string, string>;

  constructor(message: string, code: string, challenge: string) {
    super(message, code);
    this.headers = { 'WWW-Authenticate': challenge };
  }
}

/** Problem codes of the 401s. */
export const AuthCode = {
  missing: 'AUTH.MISSING_CREDENTIALS',
  ambiguous: 'AUTH.AMBIGUOUS_CREDENTIALS',
  malformedKey: 'AUTH.MALFORMED_API_KEY',
  invalidKey: 'AUTH.INVALID_API_KEY',
  unsupportedScheme: 'AUTH.UNSUPPORTED_SCHEME',
  bearerDisabled: 'AUTH.BEARER_NOT_ACCEPTED',
  invalidToken: 'AUTH.INVALID_TOKEN',
  unknownConsumer: 'AUTH.UNKNOWN_CONSUMER',
} as const;

/** What the caches hold: a hit, or a remembered miss. */
type Lookup<T> = { found: true; value: T } | { found: false };

/** A key record with its hash already decoded for the comparison. */
interface CachedKey {
  record: StoredKey;
  hash: Buffer;
}

/** A presented key whose secret matched, and the cache entry (the very object) it was checked against. */
interface VerifiedKey {
  keyId: string;
  entry: CachedKey;
}

/** A consumer ready to become a caller (its sets built once per cache fill, not per request). */
interface ConsumerIdentity extends Identity {
  plan: string;
  /** The callers made of it, one per credential kind, built on first use (the same object per request). */
  callers: Partial<Record<Caller['method'], Caller>>;
}

export interface AuthenticatorOptions {
  repository: Pick<AccessRepository, 'getKey' | 'getConsumer'>;
  /** When absent, bearer tokens are refused. */
  jwt: JwtVerifier | undefined;
  cache: { ttlMs: number; negativeTtlMs: number; max: number };
  /** Epoch milliseconds (key expiry after a rotation). */
  clock: () => number;
  logger: Logger;
  /** Called with the plan of every consumer loaded, so its limits are known before `admit`. */
  onPlanSeen?: (plan: string) => Promise<void>;
}

/** Turns request headers into a Caller, or a 401. */
export class Authenticator {
  private readonly keys: LRUCache<string, Lookup<CachedKey>>;
  private readonly consumers: LRUCache<string, Lookup<ConsumerIdentity>>;
  /**
   * Keys already verified: the whole presented key → the key-cache entry its secret matched. A hit counts only
   * while that same entry is still in the key cache, so whatever ends the entry (the TTL, an eviction by the
   * admin API after a revocation or rotation here) ends the verification too, and the key is hashed and
   * checked again against what the store says. Saves the SHA-256 and the key's parsing on every request.
   */
  private readonly verified: LRUCache<string, VerifiedKey>;
  private readonly challenge: string;

  constructor(private readonly options: AuthenticatorOptions) {
    const { ttlMs, negativeTtlMs, max } = options.cache;
    this.keys = new LRUCache<string, Lookup<CachedKey>>({
      max,
      ttl: ttlMs,
      fetchMethod: async (keyId, _stale, { options: fetchOptions }) => {
        const key = await options.repository.getKey(keyId);
        if (key === undefined) fetchOptions.ttl = negativeTtlMs;
        return key === undefined ? { found: false } : { found: true, value: cachedKey(key) };
      },
    });
    this.consumers = new LRUCache<string, Lookup<ConsumerIdentity>>({
      max,
      ttl: ttlMs,
      fetchMethod: async (consumerId, _stale, { options: fetchOptions }) => {
        const consumer = await options.repository.getConsumer(consumerId);
        if (consumer === undefined) {
          fetchOptions.ttl = negativeTtlMs;
          return { found: false };
        }
        await options.onPlanSeen?.(consumer.plan);
        return { found: true, value: identityOf(consumer) };
      },
    });
    this.verified = new LRUCache<string, VerifiedKey>({ max });
    this.challenge = challengeFor(options.jwt !== undefined);
  }

  /** The caller behind the request's credential; an AuthenticationError (401) when there is none or it is bad. */
  async authenticate(headers: IncomingHttpHeaders): Promise<Caller> {
    const apiKey = single(headers[API_KEY_HEADER]);
    const authorization = single(headers.authorization);
    if (apiKey !== undefined && authorization !== undefined) {
      throw this.refuse(
        'Send one credential: an API key in x-api-key or a bearer token in Authorization, not both.',
        AuthCode.ambiguous,
      );
    }
    if (apiKey !== undefined) return this.byKey(apiKey.trim());
    if (authorization !== undefined) return this.byBearer(authorization.trim());
    throw this.refuse(
      this.options.jwt === undefined
        ? 'An API key is required: send it in the x-api-key header.'
        : 'Credentials are required: send an API key in x-api-key or a bearer token in Authorization.',
      AuthCode.missing,
    );
  }

  /** Forgets a key record, so its next use reads the store (after a revocation or rotation here). */
  evictKey(keyId: string): void {
    this.keys.delete(keyId);
  }

  /** Forgets a consumer, so its next request reads the store (after an update or deletion here). */
  evictConsumer(consumerId: string): void {
    this.consumers.delete(consumerId);
  }

  private async byKey(presented: string): Promise<Caller> {
    const known = this.verified.get(presented);
    if (known !== undefined) {
      const current = this.keys.get(known.keyId);
      if (current?.found === true && current.value === known.entry) {
        const caller = await this.keyCaller(known.entry.record);
        if (caller !== undefined) return caller;
      }
      this.verified.delete(presented);
    }
    const parsed = parseKey(presented);
    if (parsed === undefined) {
      throw this.refuse(
        'The API key is malformed: expected tfk_<key id>_<secret>, exactly as it was issued.',
        AuthCode.malformedKey,
      );
    }
    const lookup = await cached(this.keys, parsed.keyId, async () => {
      const key = await this.options.repository.getKey(parsed.keyId);
      return key === undefined ? undefined : cachedKey(key);
    });
    // Unknown, wrong secret, revoked or expired all read the same, so a caller cannot probe for key ids.
    const invalid = (why: string) => {
      this.options.logger.debug({ keyId: parsed.keyId, why }, 'API key refused');
      return this.refuse(
        'The API key is not valid: it may be revoked, expired or mistyped.',
        AuthCode.invalidKey,
      );
    };
    if (!lookup.found) throw invalid('unknown key id');
    const { record: key, hash } = lookup.value;
    if (!secretMatches(parsed.secret, hash)) throw invalid('wrong secret');
    const state = keyState(key, this.options.clock());
    if (state === 'revoked' || state === 'expired') throw invalid(state);
    const identity = await this.consumer(key.consumerId);
    if (identity === undefined) throw invalid('consumer deleted');
    this.verified.set(presented, { keyId: parsed.keyId, entry: lookup.value });
    return callerOf(identity, 'api-key');
  }

  /** The caller of a key verified before, or undefined when the key or its consumer no longer passes. */
  private async keyCaller(key: StoredKey): Promise<Caller | undefined> {
    const state = keyState(key, this.options.clock());
    if (state === 'revoked' || state === 'expired') return undefined;
    const identity = await this.consumer(key.consumerId);
    return identity === undefined ? undefined : callerOf(identity, 'api-key');
  }

  private async byBearer(authorization: string): Promise<Caller> {
    const match = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization);
    if (match === null) {
      throw this.refuse(
        /^bearer\b/i.test(authorization)
          ? 'The Authorization header is malformed: expected "Bearer <token>".'
          : 'Only the Bearer scheme is accepted in Authorization; send API keys in x-api-key.',
        AuthCode.unsupportedScheme,
      );
    }
    const jwt = this.options.jwt;
    if (jwt === undefined) {
      throw this.refuse(
        'Bearer tokens are not accepted by this gateway; send an API key in x-api-key.',
        AuthCode.bearerDisabled,
      );
    }
    let subject: string;
    try {
      subject = await jwt.verify(match[1] as string);
    } catch (err) {
      if (err instanceof InvalidTokenError) throw this.refuseToken(err.reason);
      throw err;
    }
    const identity = await this.consumer(subject);
    if (identity === undefined) throw this.refuseToken("The bearer token's subject is not a known consumer.");
    return callerOf(identity, 'jwt');
  }

  private async consumer(consumerId: string): Promise<ConsumerIdentity | undefined> {
    const lookup = await cached(this.consumers, consumerId, async () => {
      const consumer = await this.options.repository.getConsumer(consumerId);
      if (consumer !== undefined) await this.options.onPlanSeen?.(consumer.plan);
      return consumer === undefined ? undefined : identityOf(consumer);
    });
    return lookup.found ? lookup.value : undefined;
  }

  private refuse(message: string, code: string): AuthenticationError {
    return new AuthenticationError(message, code, this.challenge);
  }

  /** A refused token: the challenge carries RFC 6750's `error="invalid_token"`. */
  private refuseToken(reason: string): AuthenticationError {
    const description = reason.replace(/["\\]/g, '');
    return new AuthenticationError(
      reason,
      AuthCode.invalidToken,
      `Bearer realm="${AUTH_REALM}", error="invalid_token", error_description="${description}"`,
    );
  }
}

/** The challenges a 401 offers: ApiKey always, Bearer when JWTs are configured. */
export function challengeFor(jwtEnabled: boolean): string {
  const apiKey = `ApiKey realm="${AUTH_REALM}", header="${API_KEY_HEADER}"`;
  return jwtEnabled ? `${apiKey}, Bearer realm="${AUTH_REALM}"` : apiKey;
}

function cachedKey(record: StoredKey): CachedKey {
  return { record, hash: Buffer.from(record.secretHash, 'hex') };
}

/**
 * The cached lookup: a plain `get` for a fresh entry (the common case, and cheaper than `fetch`), `fetch`
 * otherwise (one store read however many requests wait); a direct read when the fetch was evicted under it.
 */
async function cached<T>(
  cache: LRUCache<string, Lookup<T>>,
  key: string,
  load: () => Promise<T | undefined>,
): Promise<Lookup<T>> {
  const fresh = cache.get(key);
  if (fresh !== undefined) return fresh;
  const hit = await cache.fetch(key);
  if (hit !== undefined) return hit;
  const value = await load();
  return value === undefined ? { found: false } : { found: true, value };
}

function identityOf(consumer: Consumer): ConsumerIdentity {
  return {
    consumerId: consumer.id,
    accounts: consumer.accounts === ALL_ACCOUNTS ? ALL_ACCOUNTS : new Set(consumer.accounts),
    scopes: new Set(consumer.scopes),
    plan: consumer.plan,
    callers: {},
  };
}

/** The caller of `identity` by `method`: one object per consumer cache entry, not one per request. */
function callerOf(identity: ConsumerIdentity, method: Caller['method']): Caller {
  const { consumerId, accounts, scopes, plan } = identity;
  return (identity.callers[method] ??= Object.freeze({ consumerId, accounts, scopes, plan, method }));
}

/** A header's one value; a repeated header counts as given once with its values joined (and so fails parsing). */
function single(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : value;
}
