import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import express from 'express';
import { tradesRoutes, type TradesRouteDeps } from '../../src/http/routes';

/** `METHOD path` of every operation in openapi.yaml, read line by line (paths at 2 spaces, methods at 4). */
function documentedOperations(): string[] {
  const lines = readFileSync(resolve(__dirname, '../../openapi.yaml'), 'utf8').split('\n');
  const operations: string[] = [];
  let path: string | undefined;
  for (const line of lines) {
    const pathMatch = /^ {2}(\/\S+):$/.exec(line);
    if (pathMatch) path = pathMatch[1];
    else if (/^\S/.test(line)) path = undefined;
    const method = /^ {4}(get|post|patch|put|delete):$/.exec(line)?.[1];
    if (path !== undefined && method !== undefined) operations.push(`${method.toUpperCase()} ${path}`);
  }
  return operations.sort();
}

/** `METHOD path` of every route the service mounts, with Express's `:id` written as OpenAPI's `{id}`. */
function mountedOperations(): string[] {
  const app = express();
  tradesRoutes({ settings: { batchMaxItems: 1000, maxLineBytes: 1000 } } as TradesRouteDeps)(app);
  const stack = (
    app.router as unknown as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] }
  ).stack;
  return stack
    .flatMap((layer) =>
      layer.route
        ? Object.keys(layer.route.methods).map(
            (m) => `${m.toUpperCase()} ${layer.route?.path.replace(/:(\w+)/g, '{$1}') ?? ''}`,
          )
        : [],
    )
    .sort();
}

describe('openapi.yaml', () => {
  it('when compared with the mounted routes, then it documents exactly those operations', () => {
    const documented = documentedOperations();
    expect(documented).toHaveLength(9);
    expect(documented).toEqual(mountedOperations());
  });
});
