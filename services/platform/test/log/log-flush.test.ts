import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REGISTER_TS } from '../../../../tests/support/paths';

const run = promisify(execFile);

/** Runs the fixture to its end and returns its exit code and stdout's lines, each parsed. */
async function linesOf(how: 'sigterm' | 'exit'): Promise<{ code: number; lines: Record<string, unknown>[] }> {
  const fixture = join(__dirname, 'fixtures', 'log-then-stop.ts');
  const { stdout, code } = await run(process.execPath, ['-r', REGISTER_TS, fixture, how], {
    timeout: 30_000,
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    (r) => ({ stdout: r.stdout, code: 0 }),
    (err: { stdout: string; code: number }) => ({ stdout: err.stdout, code: err.code }),
  );
  // JSON.parse throws on a torn or interleaved line.
  const lines = stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, lines };
}

describe('the process log destination (batched per event-loop turn)', () => {
  it('when SIGTERM stops the process right after a burst of lines, then every line reaches stdout whole and in order', async () => {
    const { code, lines } = await linesOf('sigterm');

    expect(code).toBe(0);
    const burst = lines.filter((l) => l.msg === 'line').map((l) => l.i);
    expect(burst).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    const messages = lines.map((l) => l.msg);
    expect(messages.indexOf('last line before stop')).toBeGreaterThan(messages.lastIndexOf('line'));
    expect(messages.at(-1)).toBe('stopped');
  }, 40_000);

  it('when the process exits at once after logging (as after a fatal error), then the pending lines are flushed first', async () => {
    const { code, lines } = await linesOf('exit');

    expect(code).toBe(3);
    expect(lines.filter((l) => l.msg === 'line')).toHaveLength(2000);
    expect(lines.at(-1)?.msg).toBe('last line before stop');
    expect(new Set(lines.map((l) => l.service))).toEqual(new Set(['fixture', 'fixture-other']));
  }, 40_000);
});
