import type { z } from 'zod';
import { ValidationError, type FieldIssue } from '../errors';

/**
 * Parses `value` (a request body, query or params) with `schema`, or throws a `ValidationError` naming
 * every invalid field by a JSON Pointer (`/items/3/price`; `''` is the value itself) — unknown fields
 * too, when the schema is strict.
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(toFieldIssues(result.error.issues));
}

/** Flattens zod issues into one `FieldIssue` per field (one per unknown key). */
export function toFieldIssues(issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  return issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: pointer([...issue.path, key]), message: 'Unknown field.' }));
    }
    return [{ field: pointer(issue.path), message: issue.message }];
  });
}

/** RFC 6901 JSON Pointer of a zod path. */
export function pointer(path: readonly PropertyKey[]): string {
  return path.map((key) => `/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
