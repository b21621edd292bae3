/**
 * Opaque page cursors: base64url JSON naming the list they belong to and the position after the last item
 * returned. Clients must not parse them; a cursor that was not issued for the list asked for is a 400.
 */
import { ValidationError } from '@tradeflow/platform/errors';
import { z } from 'zod';

// Far above any real cursor; bounds the work a hostile one can cause.
const MAX_CURSOR_LENGTH = 600;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A 400 naming the `cursor` query parameter. */
export function invalidCursor(): ValidationError {
  return new ValidationError([{ field: 'cursor', message: 'is not a cursor this list returned' }]);
}

/** Encodes `payload` as an opaque cursor. */
export function encodeCursor(payload: object): string {
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** Decodes a cursor into what `schema` describes, or throws the 400 of `invalidCursor`. */
export function decodeCursor<S extends z.ZodType>(cursor: string, schema: S): z.output<S> {
  // Buffer.from(..., 'base64url') skips characters it does not know, so check the alphabet first.
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor))
    throw invalidCursor();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalidCursor();
  return parsed.data;
}

/** Position in an account's trades (the GSI key of the last item returned). */
export const AccountTradesCursor = z.strictObject({
  a: z.string().min(1).max(64),
  t: z.string().min(1).max(200),
  id: z.string().min(1).max(200),
});
export type AccountTradesCursor = z.infer<typeof AccountTradesCursor>;

/** Position in a bulk job's line errors (the last line returned). */
export const BulkErrorsCursor = z.strictObject({
  j: z.string().min(1).max(200),
  l: z.number().int().positive(),
});
export type BulkErrorsCursor = z.infer<typeof BulkErrorsCursor>;
