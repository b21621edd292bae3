/**
 * CSV bulk lines (RFC 4180 fields, one record per line): the header row names the columns, each following
 * line is one trade. A quoted field may hold commas and doubled quotes but not a line break, so every record
 * is exactly one line and line numbers stay exact.
 */
import { CsvError, parse } from 'csv-parse/sync';

/** The columns a trade has in CSV, in the order the documentation shows them. */
export const CSV_REQUIRED_COLUMNS = [
  'accountId',
  'symbol',
  'side',
  'quantity',
  'price',
  'currency',
  'tradeTime',
] as const;
export const CSV_OPTIONAL_COLUMNS = ['clientTradeId'] as const;
const KNOWN_COLUMNS: readonly string[] = [...CSV_REQUIRED_COLUMNS, ...CSV_OPTIONAL_COLUMNS];
const NUMERIC_COLUMNS: ReadonlySet<string> = new Set(['quantity', 'price']);
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The fields of one line, or why it is not a CSV record. */
export type CsvFields = { ok: true; fields: string[] } | { ok: false; reason: string };

/** What csv-parse's error codes mean for one line of an upload. */
const LINE_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'has a quoted field that is not closed on the same line',
  CSV_INVALID_CLOSING_QUOTE: 'has text after a closing quote',
  INVALID_OPENING_QUOTE: 'has a quote inside an unquoted field (quote the whole field)',
};

/**
 * Splits one line into its fields (quotes removed, `""` unescaped) with csv-parse. The stream is cut into
 * lines before (so line numbers stay exact); a line break inside quotes therefore reads as a quote not closed.
 */
export function parseCsvLine(line: string): CsvFields {
  if (line === '') return { ok: true, fields: [''] };
  try {
    const records: string[][] = parse(line, { relax_column_count: true });
    const fields = records[0];
    return { ok: true, fields: fields ?? [''] };
  } catch (err) {
    const code = err instanceof CsvError ? err.code : undefined;
    const known = code === undefined ? undefined : LINE_PROBLEMS[code];
    if (known !== undefined) return { ok: false, reason: known };
    return { ok: false, reason: `is not a CSV record (${err instanceof Error ? err.message : String(err)})` };
  }
}

/** One problem with the header row. */
export interface HeaderIssue {
  column: string;
  message: string;
}

/** The columns of a CSV upload, or every problem with its header row. */
export type CsvHeader = { ok: true; columns: string[] } | { ok: false; issues: HeaderIssue[] };

/** Reads the header row: every required column once, `clientTradeId` optional, nothing else. */
export function parseCsvHeader(line: string): CsvHeader {
  const parsed = parseCsvLine(line);
  if (!parsed.ok) return { ok: false, issues: [{ column: '', message: `The header row ${parsed.reason}.` }] };
  const columns = parsed.fields.map((f) => f.trim());
  const issues: HeaderIssue[] = [];
  const seen = new Set<string>();
  for (const column of columns) {
    if (!KNOWN_COLUMNS.includes(column))
      issues.push({ column, message: `Unknown column; the columns are ${KNOWN_COLUMNS.join(', ')}.` });
    else if (seen.has(column)) issues.push({ column, message: 'The column appears twice.' });
    seen.add(column);
  }
  for (const column of CSV_REQUIRED_COLUMNS)
    if (!seen.has(column)) issues.push({ column, message: 'The column is missing.' });
  return issues.length === 0 ? { ok: true, columns } : { ok: false, issues };
}

/** A record as the trade schema reads it, or why the line is not a record of this header. */
export type CsvRecord = { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };

/**
 * The trade fields of one line under `columns`: numbers where the text is a number (anything else is left as
 * text, for the schema to name), an empty cell is an absent field.
 */
export function csvRecord(columns: readonly string[], line: string): CsvRecord {
  const parsed = parseCsvLine(line);
  if (!parsed.ok) return { ok: false, reason: `The line ${parsed.reason}.` };
  if (parsed.fields.length !== columns.length) {
    return {
      ok: false,
      reason: `The line has ${parsed.fields.length} field(s); the header has ${columns.length}.`,
    };
  }
  const value: Record<string, unknown> = {};
  columns.forEach((column, index) => {
    const cell = (parsed.fields[index] ?? '').trim();
    if (cell === '') return;
    value[column] = NUMERIC_COLUMNS.has(column) && NUMBER_TEXT.test(cell) ? Number(cell) : cell;
  });
  return { ok: true, value };
}
