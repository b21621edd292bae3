/**
 * API keys: `tfk_<keyId>_<secret>`. The key id finds the stored record; the secret (32 random bytes,
 * base64url) proves possession. Only the SHA-256 of the secret is stored, and a key is shown once.
 *
 * Why SHA-256 and not bcrypt/scrypt/argon2: slow hashes exist to make guessing low-entropy passwords
 * expensive. A 256-bit random secret cannot be guessed whatever the hash costs, so a fast hash loses nothing
 * and keeps per-request verification at about a microsecond (every proxied request is authenticated).
 */
import { createHash, hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every key starts with this, so leaked keys are easy to recognise (and to scan for in repositories). */
export const KEY_PREFIX = 'tfk';

/** Random bytes in a secret: 256 bits. */
export const SECRET_BYTES = 32;

/** Random bytes in a generated key id (16 hex characters). */
const KEY_ID_BYTES = 8;

/** A key id: 8-32 lower-case letters or digits (generated ids are 16 hex characters). */
export const KEY_ID_PATTERN = /^[a-z0-9]{8,32}$/;

/** The whole key: prefix, key id, and a secret of at least 43 base64url characters (32 bytes). */
export const KEY_PATTERN = /^tfk_([a-z0-9]{8,32})_([A-Za-z0-9_-]{43,128})$/;

/** A key split into its id and secret. */
export interface ParsedKey {
  keyId: string;
  secret: string;
}

/** A freshly generated key: what the admin API shows once, and what is stored. */
export interface GeneratedKey extends ParsedKey {
  /** The full key, `tfk_<keyId>_<secret>`. */
  key: string;
  /** Hex SHA-256 of the secret. */
  secretHash: string;
}

/** The key's id and secret, or undefined when `key` is not shaped like one of ours. */
export function parseKey(key: string): ParsedKey | undefined {
  const match = KEY_PATTERN.exec(key);
  if (match === null) return undefined;
  return { keyId: match[1] as string, secret: match[2] as string };
}

/** Hex SHA-256 of a secret: what the key table stores. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * True when `secret` hashes to the stored hash (hex, or its bytes when the caller keeps them decoded);
 * constant time, so timing does not tell how much matched. One-shot `crypto.hash` is the cheap way to
 * hash on every request.
 */
export function secretMatches(secret: string, storedHash: string | Buffer): boolean {
  const presented = hash('sha256', secret, 'buffer');
  const stored = typeof storedHash === 'string' ? Buffer.from(storedHash, 'hex') : storedHash;
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}

/** A new key with a random id and a random 256-bit secret. */
export function generateKey(): GeneratedKey {
  return keyFrom(randomBytes(KEY_ID_BYTES).toString('hex'), randomBytes(SECRET_BYTES).toString('base64url'));
}

/** The full key and hash for a given id and secret (the demo key from config, tests). */
export function keyFrom(keyId: string, secret: string): GeneratedKey {
  return { keyId, secret, key: `${KEY_PREFIX}_${keyId}_${secret}`, secretHash: hashSecret(secret) };
}

/** True when two strings are equal, in time that depends only on their hashes (for the admin token). */
export function constantTimeEquals(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}
