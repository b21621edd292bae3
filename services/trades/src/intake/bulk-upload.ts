/**
 * An upload opened for import: its lines, and how a line becomes a trade request (NDJSON: one JSON object;
 * CSV: one record under the header row). Opening reads only as far as the first line, so a bad CSV header or
 * an empty upload is refused before any job exists.
 */
import { ValidationError, type FieldIssue } from '@tradeflow/platform/errors';
import { csvRecord, parseCsvHeader } from '../domain';
import type { BulkFormat } from '../store';
import { splitLines, type RawLine } from './line-splitter';

/** The raw value of one line (for the trade schema), or why the line cannot be read at all. */
export type DecodedLine = { ok: true; value: unknown } | { ok: false; issues: FieldIssue[] };

/** An upload whose first line has been read. */
export interface OpenUpload {
  format: BulkFormat;
  /** Lines read before the data (1 for the CSV header, 0 for NDJSON). */
  headerLines: number;
  /** The next line, or undefined at the end; rejects when the upload fails (after the complete lines). */
  next(): Promise<RawLine | undefined>;
  /** Turns a line's text into the value the trade schema reads. */
  decode(text: string): DecodedLine;
}

/** Reads the start of `source`; a ValidationError when it is empty or (CSV) its header row is wrong. */
export async function openUpload(
  format: BulkFormat,
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  maxLineBytes: number,
): Promise<OpenUpload> {
  const lines = splitLines(source, maxLineBytes);
  const first = await lines.next();
  if (first.done === true)
    throw new ValidationError(
      [{ field: '', message: 'The upload has no lines.' }],
      'The upload is empty.',
      'TRADES.BULK_EMPTY',
    );
  const read = async (): Promise<RawLine | undefined> => {
    const next = await lines.next();
    return next.done === true ? undefined : next.value;
  };

  if (format === 'ndjson') {
    let pending: RawLine | undefined = first.value;
    return {
      format,
      headerLines: 0,
      next: () => {
        if (pending === undefined) return read();
        const line = pending;
        pending = undefined;
        return Promise.resolve(line);
      },
      decode: decodeNdjson,
    };
  }

  const headerLine = first.value;
  if (!('text' in headerLine))
    throw badHeader([{ field: 'header', message: `The header row is longer than ${maxLineBytes} bytes.` }]);
  const header = parseCsvHeader(headerLine.text);
  if (!header.ok)
    throw badHeader(
      header.issues.map((i) => ({
        field: 'header',
        message: i.column === '' ? i.message : `"${i.column}": ${i.message}`,
      })),
    );
  const { columns } = header;
  return {
    format,
    headerLines: 1,
    next: read,
    decode: (text) => {
      const record = csvRecord(columns, text);
      return record.ok ? record : { ok: false, issues: [{ field: '', message: record.reason }] };
    },
  };
}

function decodeNdjson(text: string): DecodedLine {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, issues: [{ field: '', message: `The line is not valid JSON: ${reason}` }] };
  }
}

function badHeader(issues: FieldIssue[]): ValidationError {
  return new ValidationError(
    issues,
    'The CSV header row must name the columns accountId, symbol, side, quantity, price, currency, tradeTime and optionally clientTradeId.',
    'TRADES.BULK_BAD_HEADER',
  );
}
