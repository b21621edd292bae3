import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { documentedOperations, mountedOperations } from '../../../../tests/support/openapi-routes';
import type { AccessAdmin } from '../../src/access/access-admin';
import { adminRoutes } from '../../src/access/admin/admin-routes';

const FILE = resolve(__dirname, '../../admin-openapi.yaml');

describe('admin-openapi.yaml', () => {
  it('when compared with the mounted admin routes, then it documents exactly those operations', () => {
    const documented = documentedOperations(FILE);
    expect(documented.length).toBe(13);
    expect(documented).toEqual(mountedOperations(adminRoutes({} as AccessAdmin, 'x'.repeat(24))));
  });

  it('when parsed, then it is OpenAPI 3.1 and every $ref points at a component that exists', () => {
    const text = readFileSync(FILE, 'utf8');
    const doc = parse(text) as { openapi: string; components: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const refs = [...text.matchAll(/\$ref: '#\/components\/(\w+)\/(\w+)'/g)];
    expect(refs.length).toBeGreaterThan(20);
    const missing = refs.filter(
      ([, section, name]) => doc.components[section as string]?.[name as string] === undefined,
    );
    expect(missing.map((m) => m[0])).toEqual([]);
  });
});
