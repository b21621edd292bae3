import { spawn } from 'node:child_process';
import path from 'node:path';
import { REGISTER_TS } from '../../../../tests/support/paths';

const FIXTURE = path.join(__dirname, 'fixtures', 'publish-then-close.ts');

describe('closing the kafka bus', () => {
  it('when a publish timed out while kafkajs kept retrying it, then after close the process can still exit', async () => {
    const topic = `publish-then-close.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const proc = spawn(process.execPath, ['-r', REGISTER_TS, FIXTURE, topic], {
      env: { PATH: process.env.PATH ?? '', KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A send retried without a count would reconnect after close and keep the process alive for good.
    const exited = await new Promise<number | null | 'still running'>((resolve) => {
      const timer = setTimeout(() => resolve('still running'), 20_000);
      proc.on('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    if (exited === 'still running') proc.kill('SIGKILL');

    expect({ exited, stderr }).toEqual({ exited: 0, stderr: '' });
    expect(stdout).toBe('BUS.PUBLISH_TIMEOUT\n');
  }, 30_000);
});
