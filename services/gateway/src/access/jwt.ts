/**
 * Bearer JWTs, verified with jose: signature (a shared HS256 secret or the issuer's JWKS), issuer, audience
 * and expiry. The token's `sub` names the consumer; the consumer's stored record gives accounts, scopes and
 * plan, so a token cannot grant more than an operator gave the consumer.
 *
 * jose 6 is an ES module and the services compile to CommonJS, so it is loaded with a dynamic import.
 */
import { UnavailableError } from '@tradeflow/platform/errors';
import type { JwtConfig } from './config';

/** The seconds of clock skew tolerated on `exp`, `nbf` and `iat`. */
export const JWT_CLOCK_TOLERANCE_SECONDS = 5;

/** Why a token was refused, safe to tell the caller (RFC 6750 `error_description`). */
export class InvalidTokenError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidTokenError';
  }
}

/** Checks a token and returns its subject (a consumer id). */
export interface JwtVerifier {
  /** The token's `sub`; InvalidTokenError when the token is not acceptable. */
  verify(token: string): Promise<string>;
}

/** The shape of jose's errors that matters here. */
interface JoseErrorLike {
  code?: unknown;
  claim?: unknown;
}

/** Builds the verifier for `config`; `clock` decides what "now" is for expiry (tests move it). */
export async function createJwtVerifier(config: JwtConfig, clock: () => number): Promise<JwtVerifier> {
  const jose = await import('jose');
  const key =
    config.secret !== undefined
      ? new TextEncoder().encode(config.secret)
      : jose.createRemoteJWKSet(new URL(config.jwksUrl), {
          timeoutDuration: 2_000,
          cooldownDuration: 30_000,
        });
  const options = {
    issuer: config.issuer,
    audience: config.audience,
    requiredClaims: ['sub', 'exp'],
    clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS,
    ...(config.secret !== undefined ? { algorithms: ['HS256'] } : {}),
  };
  return {
    async verify(token: string): Promise<string> {
      try {
        const { payload } =
          key instanceof Uint8Array
            ? await jose.jwtVerify(token, key, { ...options, currentDate: new Date(clock()) })
            : await jose.jwtVerify(token, key, { ...options, currentDate: new Date(clock()) });
        if (typeof payload.sub !== 'string' || payload.sub === '') {
          throw new InvalidTokenError('The bearer token has no subject.');
        }
        return payload.sub;
      } catch (err) {
        throw translateJoseError(err);
      }
    },
  };
}

/** jose's error codes as a reason the caller may read, or a 503 when the issuer's keys cannot be fetched. */
export function translateJoseError(err: unknown): Error {
  if (err instanceof InvalidTokenError) return err;
  const { code, claim } = (typeof err === 'object' && err !== null ? err : {}) as JoseErrorLike;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return new InvalidTokenError('The bearer token has expired.');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return new InvalidTokenError(
        typeof claim === 'string'
          ? `The bearer token's "${claim}" claim is not accepted.`
          : 'A claim of the bearer token is not accepted.',
      );
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new InvalidTokenError('The bearer token has an invalid signature.');
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return new InvalidTokenError('The bearer token is not signed with a key this gateway trusts.');
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return new UnavailableError("The token issuer's keys cannot be fetched.", 'AUTH.JWKS_UNAVAILABLE', err);
    case undefined:
      // Not a jose error: the JWKS fetch itself failed (network), or something unexpected.
      return new UnavailableError("The token issuer's keys cannot be fetched.", 'AUTH.JWKS_UNAVAILABLE', err);
    default:
      return new InvalidTokenError('The bearer token is malformed or not valid.');
  }
}
