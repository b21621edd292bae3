import { createHash } from 'node:crypto';
import {
  constantTimeEquals,
  generateKey,
  hashSecret,
  keyFrom,
  KEY_PATTERN,
  parseKey,
  secretMatches,
  SECRET_BYTES,
} from '../../src/access/api-keys';

describe('API keys', () => {
  it('when generated, then the key reads tfk_<16 hex>_<43 base64url> and carries 256 random bits', () => {
    const { key, keyId, secret } = generateKey();
    expect(key).toMatch(/^tfk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(key).toBe(`tfk_${keyId}_${secret}`);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(SECRET_BYTES);
    expect(generateKey().key).not.toBe(key);
  });

  it('when generated, then only the SHA-256 of the secret is kept', () => {
    const { secret, secretHash } = generateKey();
    expect(secretHash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(secretHash).not.toContain(secret);
  });

  it('when parsed, then the key id and the secret come apart (a secret may contain "_")', () => {
    const secret = `ab_${'c'.repeat(40)}`;
    expect(parseKey(`tfk_0123456789abcdef_${secret}`)).toEqual({ keyId: '0123456789abcdef', secret });
  });

  it.each([
    ['no prefix', `0123456789abcdef_${'a'.repeat(43)}`],
    ['another prefix', `sk_0123456789abcdef_${'a'.repeat(43)}`],
    ['an upper-case key id', `tfk_0123456789ABCDEF_${'a'.repeat(43)}`],
    ['a short key id', `tfk_0123_${'a'.repeat(43)}`],
    ['a short secret', `tfk_0123456789abcdef_${'a'.repeat(42)}`],
    ['a secret outside base64url', `tfk_0123456789abcdef_${'a'.repeat(42)}=`],
    ['trailing text', `tfk_0123456789abcdef_${'a'.repeat(43)} x`],
  ])('when the key has %s, then it is not parsed', (_what, key) => {
    expect(parseKey(key)).toBeUndefined();
    expect(KEY_PATTERN.test(key)).toBe(false);
  });

  it('when the secret matches its hash, then it is accepted, and any other secret is not', () => {
    const { secret, secretHash } = keyFrom('demo0000', 'x'.repeat(43));
    expect(secretMatches(secret, secretHash)).toBe(true);
    expect(secretMatches(`${'x'.repeat(42)}y`, secretHash)).toBe(false);
    expect(secretMatches(secret, hashSecret('other'))).toBe(false);
    expect(secretMatches(secret, 'not-hex')).toBe(false);
  });

  it('when two tokens are compared, then equality does not depend on their lengths matching', () => {
    expect(constantTimeEquals('a'.repeat(24), 'a'.repeat(24))).toBe(true);
    expect(constantTimeEquals('a'.repeat(24), 'a'.repeat(25))).toBe(false);
    expect(constantTimeEquals('', 'a')).toBe(false);
  });
});
