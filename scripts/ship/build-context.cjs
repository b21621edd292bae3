// Copies the repository's Docker build context into a folder: every file `docker build .` would send, with
// .dockerignore applied by Docker's own rules (moby/patternmatcher: Go filepath.Match globs plus `**`, a
// pattern also matches everything under a matching folder, `!` re-includes, the last matching line wins).
// Refreshes in place: unchanged files (same content and mode) are not rewritten, changed ones are written anew
// (so they are newer than what was built from them), files gone from the context are removed, and what
// .dockerignore excludes is left alone in the copy (node_modules, dist, *.tsbuildinfo: the build products of
// scripts/ship/bundle.sh run there before). Prints the context's sha256 (paths, modes,
// contents) on stdout, so a caller can tell whether anything changed.
// usage: node scripts/ship/build-context.cjs <dest>
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script, run by node as is */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

/** A .dockerignore line as a test on slash-separated paths relative to the context root. */
function compile(line) {
  const exclusion = line.startsWith('!');
  let pattern = path.posix.normalize((exclusion ? line.slice(1) : line).trim()).replace(/^\/+/, '');
  if (pattern.endsWith('/')) pattern = pattern.slice(0, -1);
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = pattern
          .slice(i + 1, end)
          .replace(/^[!^]/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\]\\/]/g, '\\$&');
  }
  return { exclusion, regex: new RegExp(`^${re}$`) };
}

/** The rules of a .dockerignore text, in order. */
function parseDockerignore(text) {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map(compile);
}

/** True when Docker leaves `rel` (a path relative to the context) out of the context. */
function isIgnored(rules, rel) {
  const parents = [];
  const parts = rel.split('/');
  for (let i = 1; i <= parts.length; i++) parents.push(parts.slice(0, i).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (parents.some((p) => rule.regex.test(p))) ignored = !rule.exclusion;
  }
  return ignored;
}

/** Every file and link of the context, as relative paths, sorted. */
function contextFiles(rules) {
  const hasExclusions = rules.some((r) => r.exclusion);
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
      const ignored = isIgnored(rules, rel);
      if (entry.isDirectory()) {
        // A `!` rule may re-include something below an ignored folder; without one, skip the whole folder.
        if (!ignored || hasExclusions) walk(rel);
      } else if (!ignored && (entry.isFile() || entry.isSymbolicLink())) files.push(rel);
    }
  };
  walk('');
  return files.sort();
}

/** Removes from `dest` every file that is not in the context, except what .dockerignore excludes. */
function removeStale(dest, rules, keep) {
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(dest, dir), { withFileTypes: true })) {
      const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (isIgnored(rules, rel)) continue;
      if (entry.isDirectory()) {
        walk(rel);
        if (fs.readdirSync(path.join(dest, rel)).length === 0) fs.rmdirSync(path.join(dest, rel));
      } else if (!keep.has(rel)) fs.rmSync(path.join(dest, rel), { force: true });
    }
  };
  walk('');
}

function main() {
  const dest = process.argv[2];
  if (dest === undefined) {
    process.stderr.write('usage: node scripts/ship/build-context.cjs <dest>\n');
    process.exit(2);
  }
  const ignorePath = path.join(ROOT, '.dockerignore');
  const rules = fs.existsSync(ignorePath) ? parseDockerignore(fs.readFileSync(ignorePath, 'utf8')) : [];
  const files = contextFiles(rules);
  fs.mkdirSync(dest, { recursive: true });
  removeStale(dest, rules, new Set(files));
  const hash = createHash('sha256');
  for (const rel of files) {
    const from = path.join(ROOT, rel);
    const to = path.join(dest, rel);
    const stat = fs.lstatSync(from);
    if (stat.isSymbolicLink()) {
      const target = fs.readlinkSync(from);
      hash.update(`${rel}\0link\0${target}\0`);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.rmSync(to, { force: true });
      fs.symlinkSync(target, to);
      continue;
    }
    const content = fs.readFileSync(from);
    const mode = stat.mode & 0o777;
    hash
      .update(`${rel}\0${mode.toString(8)}\0`)
      .update(content)
      .update('\0');
    const existing = fs.existsSync(to) ? fs.lstatSync(to) : undefined;
    if (existing?.isFile() && (existing.mode & 0o777) === mode && fs.readFileSync(to).equals(content))
      continue;
    // Written anew, so it is newer than what was built from its old content (tsc -b and the bundle's
    // `npm ci` check go by modification times).
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.rmSync(to, { force: true });
    fs.writeFileSync(to, content, { mode });
    fs.chmodSync(to, mode);
  }
  process.stdout.write(`${hash.digest('hex')}\n`);
}

if (require.main === module) main();

module.exports = { parseDockerignore, isIgnored };
