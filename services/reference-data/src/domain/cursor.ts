import {
  AccountId,
  Currency,
  MarketCode,
  Symbol as TickerSymbol,
  type ReferenceKind,
} from '@tradeflow/contracts';
import { ValidationError } from '@tradeflow/platform/errors';
import { z } from 'zod';

// Far above any real cursor (kind + a 32-character id); bounds the work a hostile one can cause.
const MAX_CURSOR_LENGTH = 200;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const idSchemas: Record<ReferenceKind, z.ZodString> = {
  market: MarketCode,
  instrument: TickerSymbol,
  price: TickerSymbol,
  account: AccountId,
  restricted: TickerSymbol,
  fx: Currency,
};

/** What a cursor carries: which list it belongs to and the id of the last item returned. */
const CursorPayload = z.strictObject({ k: z.string(), id: z.string() });

/** The opaque cursor after the item `lastId` of the `kind` list (base64url JSON; clients must not parse it). */
export function encodeCursor(kind: ReferenceKind, lastId: string): string {
  return Buffer.from(JSON.stringify({ k: kind, id: lastId }), 'utf8').toString('base64url');
}

/** The last id a cursor of the `kind` list carries; anything else is a ValidationError naming `cursor`. */
export function decodeCursor(kind: ReferenceKind, cursor: string): string {
  const invalid = () =>
    new ValidationError([{ field: 'cursor', message: 'is not a cursor this list returned' }]);
  // Buffer.from(..., 'base64url') skips characters it does not know, so check the alphabet first.
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) throw invalid();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const payload = CursorPayload.safeParse(json);
  if (!payload.success || payload.data.k !== kind || !idSchemas[kind].safeParse(payload.data.id).success) {
    throw invalid();
  }
  return payload.data.id;
}
