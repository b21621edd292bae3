import { ValidationError, type FieldIssue } from '@tradeflow/platform/errors';
import type { z } from 'zod';

/** A zod path as the JSON pointer-ish field name problem bodies use (`/limits/maxQuantity`); `/` is the body itself. */
export function fieldPointer(path: readonly PropertyKey[]): string {
  return '/' + path.map((segment) => String(segment)).join('/');
}

/** Every zod issue as a named field; an unknown key becomes one issue per key, so each is named. */
export function issuesFromZod(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          field: fieldPointer([...issue.path, key]),
          message: 'is not a known field',
        }))
      : [{ field: fieldPointer(issue.path), message: issue.message }],
  );
}

/** Parses `input` with `schema` or throws a ValidationError naming every invalid field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(issuesFromZod(result.error));
  return result.data;
}

/** Throws a ValidationError when a rule check found anything; the service calls it after the checks. */
export function throwIfIssues(issues: readonly FieldIssue[]): void {
  if (issues.length > 0) {
    throw new ValidationError([...issues], 'The change breaks a reference-data rule.');
  }
}
