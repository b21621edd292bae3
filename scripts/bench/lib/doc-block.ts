/**
 * Rewrites one benchmark's block of docs/benchmarks.md: the text between `<!-- bench:<name>:start -->` and
 * `<!-- bench:<name>:end -->`. Everything outside the markers (other benchmarks' blocks, prose) is left as it is;
 * a missing file gets a title, a missing block is appended.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const TITLE = `# Benchmarks

Figures printed by the benchmark scripts in \`scripts/bench/\` on the machine each block names. Each script
rewrites only its own block; rerun it to refresh the figures.
`;

/** The block's current content (between the markers), or undefined when the file or the block is missing. */
export function readBlock(file: string, name: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const { start, end } = markers(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  return from < 0 || to < from ? undefined : text.slice(from + start.length, to);
}

/** Replaces the block's content with `content` (or appends the block). */
export function writeBlock(file: string, name: string, content: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : TITLE;
  const { start, end } = markers(name);
  const block = `${start}\n${content.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const next =
    from >= 0 && to > from
      ? `${text.slice(0, from)}${block}${text.slice(to + end.length)}`
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}

function markers(name: string): { start: string; end: string } {
  return { start: `<!-- bench:${name}:start -->`, end: `<!-- bench:${name}:end -->` };
}
