import { resolve } from 'node:path';
import { documentedOperations, mountedOperations } from '../../../../tests/support/openapi-routes';
import { referenceRoutes } from '../../src/http/routes';
import type { ReferenceService } from '../../src/reference-service';

describe('openapi.yaml', () => {
  it('when compared with the mounted routes, then it documents exactly those operations', () => {
    const documented = documentedOperations(resolve(__dirname, '../../openapi.yaml'));
    expect(documented.length).toBeGreaterThan(20);
    expect(documented).toEqual(mountedOperations(referenceRoutes({} as ReferenceService)));
  });
});
