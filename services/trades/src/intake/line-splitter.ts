/**
 * Splits a byte stream into numbered lines without ever holding more than one line: `\n` or `\r\n` ends a
 * line, a UTF-8 byte-order mark before the first is dropped, a last line without `\n` still counts. A line
 * longer than the limit is reported by number (its bytes are skipped, never buffered). When the source
 * fails (the client went away), every complete line before the failure has been yielded first.
 */

/** A line of the upload, 1-based, or the number of one that was too long to read. */
export type RawLine = { number: number; text: string } | { number: number; tooLong: true };

const NEWLINE = 0x0a;
const BOM = '\uFEFF';

/** The numbered lines of `source`; rejects with the source's error once the complete lines are out. */
export async function* splitLines(
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  maxLineBytes: number,
): AsyncGenerator<RawLine, void, undefined> {
  let parts: Buffer[] = [];
  let size = 0;
  let overflow = false;
  let number = 0;

  const take = (): RawLine => {
    number++;
    if (overflow) {
      overflow = false;
      parts = [];
      size = 0;
      return { number, tooLong: true };
    }
    let text = (parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size)).toString('utf8');
    parts = [];
    size = 0;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (number === 1 && text.startsWith(BOM)) text = text.slice(1);
    return { number, text };
  };
  const keep = (piece: Buffer): void => {
    if (overflow || piece.length === 0) return;
    if (size + piece.length > maxLineBytes + 1) {
      // +1 leaves room for the `\r` of a CRLF line that is exactly at the limit.
      overflow = true;
      parts = [];
      size = 0;
      return;
    }
    parts.push(piece);
    size += piece.length;
  };

  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    for (;;) {
      const end = bytes.indexOf(NEWLINE, start);
      if (end < 0) {
        // Copy: the chunk's memory must not stay pinned by a small tail.
        keep(Buffer.from(bytes.subarray(start)));
        break;
      }
      keep(bytes.subarray(start, end));
      yield take();
      start = end + 1;
    }
  }
  if (size > 0 || overflow) yield take();
}

/** True for a line with nothing but spaces (skipped, though it keeps its number). */
export function isBlank(text: string): boolean {
  return text.trim() === '';
}
