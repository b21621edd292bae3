/**
 * The JWT verifier with a locally generated key pair served as a JWKS by a server on 127.0.0.1:0, and with a
 * shared HS256 secret.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UnavailableError } from '@tradeflow/platform/errors';
import { createJwtVerifier, InvalidTokenError } from '../../src/access/jwt';
import { loadJose, type CryptoKey, type Jose, type JWK } from './support/jose';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'tradeflow-gateway';
const NOW_MS = Date.UTC(2031, 2, 1, 9, 0, 0);
const clock = () => NOW_MS;

interface Claims {
  sub?: string;
  iss?: string;
  aud?: string;
  expOffsetSeconds?: number;
  kid?: string;
}

let jose: Jose;

beforeAll(async () => {
  jose = await loadJose();
});

function sign(key: CryptoKey | Uint8Array, alg: string, claims: Claims = {}): Promise<string> {
  const now = Math.floor(NOW_MS / 1000);
  const jwt = new jose.SignJWT({})
    .setProtectedHeader({ alg, ...(claims.kid === undefined ? {} : { kid: claims.kid }) })
    .setIssuer(claims.iss ?? ISSUER)
    .setAudience(claims.aud ?? AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.expOffsetSeconds ?? 300));
  if (claims.sub !== '') jwt.setSubject(claims.sub ?? 'acme');
  return jwt.sign(key);
}

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof InvalidTokenError) return err.reason;
    throw err;
  }
  throw new Error('the token was accepted');
}

describe('JWT verifier with a JWKS', () => {
  let server: Server;
  let jwksUrl: string;
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;

  beforeAll(async () => {
    const pair = await jose.generateKeyPair('ES256');
    privateKey = pair.privateKey;
    otherKey = (await jose.generateKeyPair('ES256')).privateKey;
    const jwk: JWK = { ...(await jose.exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    server = createServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it('when the token is signed by the published key, then its subject is returned', async () => {
    const verifier = await createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl }, clock);
    await expect(verifier.verify(await sign(privateKey, 'ES256', { kid: 'k1' }))).resolves.toBe('acme');
  });

  it.each<[string, Claims, string]>([
    ['expired (beyond the clock tolerance)', { kid: 'k1', expOffsetSeconds: -10 }, 'expired'],
    ['for another audience', { kid: 'k1', aud: 'other' }, '"aud"'],
    ['from another issuer', { kid: 'k1', iss: 'https://other.test' }, '"iss"'],
    ['without a subject', { kid: 'k1', sub: '' }, '"sub"'],
  ])('when the token is %s, then it is refused saying why', async (_what, claims, expected) => {
    const verifier = await createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl }, clock);
    expect(await reason(verifier.verify(await sign(privateKey, 'ES256', claims)))).toContain(expected);
  });

  it('when the token is signed by a key the JWKS does not publish, then it is refused', async () => {
    const verifier = await createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl }, clock);
    expect(await reason(verifier.verify(await sign(otherKey, 'ES256', { kid: 'k1' })))).toContain(
      'signature',
    );
  });

  it('when the token is garbage, then it is refused as malformed', async () => {
    const verifier = await createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl }, clock);
    expect(await reason(verifier.verify('abc.def.ghi'))).toContain('malformed');
  });

  it('when the JWKS cannot be fetched, then the failure is a 503, not a 401', async () => {
    const verifier = await createJwtVerifier(
      { issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'http://127.0.0.1:9/jwks.json' },
      clock,
    );
    const err: unknown = await verifier
      .verify(await sign(privateKey, 'ES256', { kid: 'k1' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
  });
});

describe('JWT verifier with a shared secret', () => {
  const secret = new TextEncoder().encode('a-shared-secret-of-at-least-32-chars!');
  const config = { issuer: ISSUER, audience: AUDIENCE, secret: 'a-shared-secret-of-at-least-32-chars!' };

  it('when the token is HS256 with the secret, then its subject is returned', async () => {
    const verifier = await createJwtVerifier(config, clock);
    await expect(verifier.verify(await sign(secret, 'HS256'))).resolves.toBe('acme');
  });

  it('when the token uses another HMAC algorithm, then it is refused', async () => {
    const verifier = await createJwtVerifier(config, clock);
    expect(await reason(verifier.verify(await sign(secret, 'HS512')))).toContain('not signed with a key');
  });

  it('when the clock moves past expiry plus tolerance, then the same token is refused', async () => {
    let now = NOW_MS;
    const verifier = await createJwtVerifier(config, () => now);
    const token = await sign(secret, 'HS256', { expOffsetSeconds: 60 });
    await expect(verifier.verify(token)).resolves.toBe('acme');
    now += 64_000;
    await expect(verifier.verify(token)).resolves.toBe('acme');
    now += 2_000;
    expect(await reason(verifier.verify(token))).toContain('expired');
  });
});
