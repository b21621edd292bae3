/** Paths test suites share. */
import { join } from 'node:path';

/** The repository root. */
export const REPO_ROOT = join(__dirname, '..', '..');

/** `node -r REGISTER_TS fixture.ts` runs a TypeScript fixture in a child process. */
export const REGISTER_TS = join(__dirname, 'register-ts.cjs');
