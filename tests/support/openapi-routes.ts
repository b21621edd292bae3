/** Reads a service's OpenAPI operations and its mounted Express routes in one comparable form. */
import { readFileSync } from 'node:fs';
import express, { type Express } from 'express';

/** `METHOD path` of every operation in an openapi.yaml, read line by line (paths at 2 spaces, methods at 4). */
export function documentedOperations(openapiFile: string): string[] {
  const lines = readFileSync(openapiFile, 'utf8').split('\n');
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

/** `METHOD path` of every route `mount` adds to a fresh app, with Express's `:id` written as OpenAPI's `{id}`. */
export function mountedOperations(mount: (app: Express) => void): string[] {
  const app = express();
  mount(app);
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
