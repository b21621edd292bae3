import { spawn } from 'node:child_process';
import path from 'node:path';
import { REGISTER_TS } from '../../../../tests/support/paths';

const FIXTURE = path.join(__dirname, 'fixtures', 'main-fixture.ts');

interface Run {
  code: number | null;
  lines: Record<string, unknown>[];
  stderr: string;
}

/** Runs the fixture; once `ready(lines)` holds it gets a SIGTERM. Resolves when it has exited. */
function runFixture(vars: Record<string, string>, ready?: (lines: Record<string, unknown>[]) => boolean) {
  return new Promise<Run>((resolve) => {
    const proc = spawn(process.execPath, ['-r', REGISTER_TS, FIXTURE], {
      env: { PATH: process.env.PATH ?? '', ...vars },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Record<string, unknown>[] = [];
    let rest = '';
    let stderr = '';
    let signalled = false;
    proc.stdout.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop() ?? '';
      for (const part of parts)
        if (part.trim() !== '') lines.push(JSON.parse(part) as Record<string, unknown>);
      if (!signalled && ready?.(lines)) {
        signalled = true;
        proc.kill('SIGTERM');
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.on('close', (code) => resolve({ code, lines, stderr }));
  });
}

describe('runMain in a real process', () => {
  it('when the process stops, then tracing stops after every other module and the spans of the shutdown are exported', async () => {
    const run = await runFixture({}, (lines) => lines.some((l) => l.msg === 'started'));

    expect(run.code).toBe(0);
    const stopped = run.lines.filter((l) => l.msg === 'module stopped').map((l) => l.module);
    expect(stopped).toEqual(['api', 'tracing']);
    // Exported and shut down before the process exited: the span ended while api stopped is not lost.
    const exported = run.lines.findIndex((l) => l.exporter === 'span' && l.name === 'api stopping');
    const shutdown = run.lines.findIndex((l) => l.exporter === 'shutdown');
    const tracingStopping = run.lines.findIndex((l) => l.msg === 'module stopping' && l.module === 'tracing');
    const last = run.lines.findIndex((l) => l.msg === 'stopped');
    expect(exported).toBeGreaterThanOrEqual(0);
    expect(shutdown).toBeGreaterThan(tracingStopping);
    expect(Math.max(exported, shutdown)).toBeLessThan(last);
  }, 30_000);

  it('when building the modules throws, then it logs one fatal line and exits 1 without an unhandled rejection', async () => {
    const run = await runFixture({ FIXTURE_MODULES: 'throw' });

    expect(run.code).toBe(1);
    expect(run.lines.find((l) => l.level === 'fatal')).toMatchObject({
      msg: 'cannot build the modules to run',
      err: { message: "Cannot find module './module.js'" },
    });
    expect(run.stderr).toBe('');
    expect(run.lines.some((l) => l.exporter === 'shutdown')).toBe(true);
  }, 30_000);

  it('when building the modules finds bad configuration, then it exits 78 with the one configuration message', async () => {
    const run = await runFixture({ FIXTURE_MODULES: 'config' });

    expect(run.code).toBe(78);
    expect(run.stderr).toBe(
      'main-fixture: invalid configuration, not starting:\n  - FIXTURE_URL: is required\n',
    );
  }, 30_000);
});
