import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REGISTER_TS } from '../../../../tests/support/paths';

const FIXTURES = path.join(__dirname, 'fixtures');

interface Child {
  proc: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Runs the fixture service in a real Node process with only the given variables (plus PATH). */
function startFixture(vars: Record<string, string>): Child {
  const proc = spawn(
    process.execPath,
    ['-r', REGISTER_TS, path.join(FIXTURES, 'fixture-service.ts'), '--target=all'],
    { env: { PATH: process.env.PATH ?? '', ...vars }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: Record<string, unknown>[] = [];
  let stdoutRest = '';
  let stderr = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    const parts = (stdoutRest + chunk.toString()).split('\n');
    stdoutRest = parts.pop() ?? '';
    for (const part of parts) if (part.trim() !== '') lines.push(JSON.parse(part) as Record<string, unknown>);
  });
  proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    proc.on('close', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return { proc, lines, stderr: () => stderr, exit };
}

/** Polls the child's log until a line matches, or fails with what the child said. */
async function lineMatching(child: Child, predicate: (line: Record<string, unknown>) => boolean) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const line = child.lines.find(predicate);
    if (line !== undefined) return line;
    if (child.proc.exitCode !== null || Date.now() > deadline) {
      throw new Error(`no matching line; stdout: ${JSON.stringify(child.lines)} stderr: ${child.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const messages = (child: Child) => child.lines.map((l) => l.msg);

describe('runProcess in a real process', () => {
  const children: Child[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
  });

  it('when the configuration is bad, then it exits 78 with one message naming each variable and no stack', async () => {
    const child = startFixture({ BUS_ADAPTER: 'kafka', KAFKA_BROKERS: 'kafka:abc', HTTP_PORT: 'eighty' });
    children.push(child);
    const { code } = await child.exit;
    expect(code).toBe(78);
    expect(child.stderr()).toBe(
      'fixture: invalid configuration, not starting:\n' +
        '  - KAFKA_BROKERS: "kafka:abc" is not a host:port list ("kafka:abc" has no port in 1-65535)\n' +
        '  - HTTP_PORT: "eighty" is not a port (0-65535)\n',
    );
    expect(child.stderr()).not.toMatch(/^ {4}at /m);
    expect(JSON.stringify(child.lines)).not.toContain('    at ');
  });

  it('when a process-level variable is bad, then it exits 78 before any module starts', async () => {
    const child = startFixture({ LOG_LEVEL: 'loud', SHUTDOWN_TIMEOUT_MS: 'soon' });
    children.push(child);
    expect((await child.exit).code).toBe(78);
    expect(child.stderr()).toContain('  - LOG_LEVEL: "loud" is not one of');
    expect(child.stderr()).toContain('  - SHUTDOWN_TIMEOUT_MS: "soon" is not a duration');
    expect(child.lines).toEqual([]);
  });

  it('when SIGTERM arrives, then readiness turns false, modules stop in reverse order and it exits 0', async () => {
    const child = startFixture({ SHUTDOWN_TIMEOUT_MS: '5000' });
    children.push(child);
    const started = await lineMatching(child, (l) => l.msg === 'started');
    expect(started).toMatchObject({ modules: ['config', 'store', 'api'], readiness: { ready: true } });

    child.proc.kill('SIGTERM');
    const { code, signal } = await child.exit;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const shutdownAt = messages(child).indexOf('shutting down');
    const afterSignal = child.lines.slice(shutdownAt);
    expect(afterSignal.filter((l) => l.event === 'stop').map((l) => l.module)).toEqual([
      'api',
      'store',
      'config',
    ]);
    expect(afterSignal.at(-1)).toMatchObject({ msg: 'stopped', exitCode: 0 });
    // Not ready from the moment the signal landed, while every module was still running.
    expect(child.lines[shutdownAt]).toMatchObject({
      reason: 'received SIGTERM',
      readiness: { ready: false, modules: { config: 'running', store: 'running', api: 'running' } },
    });
    expect(child.lines.filter((l) => l.event === 'stop').every((l) => l.ready === false)).toBe(true);
  });

  it('when a module stop hangs, then it exits 1 once the shutdown timeout runs out, naming the module', async () => {
    const timeoutMs = 400;
    const child = startFixture({ SHUTDOWN_TIMEOUT_MS: String(timeoutMs), FIXTURE_HANG_STOP: 'store' });
    children.push(child);
    await lineMatching(child, (l) => l.msg === 'started');

    const signalledAt = Date.now();
    child.proc.kill('SIGTERM');
    const { code, at } = await child.exit;
    expect(code).toBe(1);
    expect(at - signalledAt).toBeGreaterThanOrEqual(timeoutMs);
    expect(at - signalledAt).toBeLessThan(timeoutMs + 5000);
    expect(child.lines.find((l) => l.level === 'error')).toMatchObject({
      modules: ['store'],
      msg: `shutdown timed out after ${timeoutMs} ms waiting for module "store"`,
    });
    expect(messages(child)).not.toContain('config stopping');
  });
});
