import { resolve } from 'node:path';
import { documentedOperations, mountedOperations } from '../../../../tests/support/openapi-routes';
import { tradesRoutes, type TradesRouteDeps } from '../../src/http/routes';

describe('openapi.yaml', () => {
  it('when compared with the mounted routes, then it documents exactly those operations', () => {
    const documented = documentedOperations(resolve(__dirname, '../../openapi.yaml'));
    expect(documented).toHaveLength(9);
    expect(documented).toEqual(
      mountedOperations(
        tradesRoutes({ settings: { batchMaxItems: 1000, maxLineBytes: 1000 } } as TradesRouteDeps),
      ),
    );
  });
});
