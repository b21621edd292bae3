import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const SRC = resolve(__dirname, '../../src');
// What a cache may load: the bus port, errors, lifecycle types, the contracts, zod and node built-ins.
const ALLOWED = [
  /^@tradeflow\/contracts$/,
  /^@tradeflow\/platform\/(bus|errors|lifecycle)$/,
  /^zod$/,
  /^node:/,
];

/** Every module specifier `file` imports, following relative imports through the package. */
function importsFrom(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1] as string);
  return specifiers.flatMap((spec) => {
    if (!spec.startsWith('.')) return [spec];
    const target = join(dirname(file), spec.replace(/\.js$/, ''));
    const path = [`${target}.ts`, join(target, 'index.ts')].find((p) => {
      try {
        readFileSync(p);
        return true;
      } catch {
        return false;
      }
    });
    if (path === undefined) throw new Error(`cannot resolve ${spec} from ${file}`);
    return importsFrom(path, seen);
  });
}

describe('cache subpath', () => {
  it('when the cache is loaded, then nothing but the bus port, contracts and zod come with it (no express, no AWS SDK)', () => {
    const external = [...new Set(importsFrom(join(SRC, 'cache/index.ts')))];
    expect(external.filter((spec) => !ALLOWED.some((allowed) => allowed.test(spec)))).toEqual([]);
    expect(external).toContain('@tradeflow/platform/bus');
  });
});
