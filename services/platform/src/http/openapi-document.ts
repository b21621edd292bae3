/** A service's OpenAPI document, written as YAML next to its code and served as JSON at `/openapi.json`. */
import { readFileSync } from 'node:fs';
import type { RequestHandler } from 'express';
import { parse } from 'yaml';

/** Where every service serves its own document (public: no identity needed). */
export const OPENAPI_PATH = '/openapi.json';

/**
 * Reads and converts `file` once (a missing or malformed document fails the start, not the first request)
 * and answers every request with the same JSON text.
 */
export function openApiHandler(file: string): RequestHandler {
  const document: unknown = parse(readFileSync(file, 'utf8'));
  if (typeof document !== 'object' || document === null || !('openapi' in document))
    throw new Error(`${file} is not an OpenAPI document (no "openapi" member).`);
  const json = JSON.stringify(document);
  return (_req, res) => {
    res.type('application/json').send(json);
  };
}
