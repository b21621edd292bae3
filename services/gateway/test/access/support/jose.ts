/**
 * jose for tests. It ships only ES modules and the tests type-check as CommonJS, so it is imported
 * dynamically (Jest transforms it; see jest.config.js) and its types with an import resolution mode.
 */
import type * as JoseModule from 'jose' with { 'resolution-mode': 'import' };
export type { CryptoKey, JWK } from 'jose' with { 'resolution-mode': 'import' };

/** The jose module's namespace. */
export type Jose = typeof JoseModule;

/** The jose module. */
export function loadJose(): Promise<Jose> {
  return import('jose');
}
