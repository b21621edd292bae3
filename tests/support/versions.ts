/** The version pins of versions.env, the one source every script, image, compose file and chart reads. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths';

/** `NAME=value` lines of versions.env (comments skipped, surrounding quotes removed). */
export function readVersions(): Record<string, string> {
  const pins: Record<string, string> = {};
  for (const line of readFileSync(join(REPO_ROOT, 'versions.env'), 'utf8').split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined) pins[match[1]] = (match[2] ?? '').replace(/^(["'])(.*)\1$/, '$2');
  }
  return pins;
}

/** The pin `name`; throws naming it when versions.env has none. */
export function pin(name: string): string {
  const value = readVersions()[name];
  if (value === undefined || value === '') throw new Error(`versions.env has no ${name}`);
  return value;
}
