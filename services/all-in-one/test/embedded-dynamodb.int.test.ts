// The embedded DynamoDB Local: a loopback-only child process the store can use, which never outlives its parent.
import { execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ModuleManager } from '@tradeflow/platform/lifecycle';
import { CoreModule, metricsModule } from '@tradeflow/platform/runtime';
import type { DynamoClients } from '@tradeflow/platform/store';
import { REGISTER_TS } from '../../../tests/support/paths';
import {
  EMBEDDED_DYNAMODB_MODULE,
  embeddedDynamoDbModule,
  storeOnEmbeddedDynamoDb,
  type EmbeddedDynamoDb,
} from '../src/embedded-dynamodb';

jest.setTimeout(120_000);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** Resolves true when a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

describe('embedded DynamoDB Local', () => {
  it('when run as the store module dependency, then the store talks to it on loopback only, and stop ends the child', async () => {
    const manager = new ModuleManager([
      // The store module reports its calls to the metrics module, as in every process.
      metricsModule('test'),
      embeddedDynamoDbModule(),
      storeOnEmbeddedDynamoDb({
        endpoint: undefined,
        region: 'us-east-1',
        tablePrefix: '',
        credentials: undefined,
      }),
    ]);
    await manager.start();
    let pid: number | undefined;
    try {
      const { endpoint } = manager.get<EmbeddedDynamoDb>(EMBEDDED_DYNAMODB_MODULE);
      const url = new URL(endpoint);
      expect(url.hostname).toBe('127.0.0.1');
      const tables = await manager
        .get<DynamoClients>(CoreModule.store)
        .client.send(new ListTablesCommand({}));
      expect(tables.TableNames).toEqual([]);
      if (externalAddress !== undefined) {
        expect(await accepts(externalAddress, Number(url.port))).toBe(false);
      }
      expect(await accepts('127.0.0.1', Number(url.port))).toBe(true);
      pid = findJavaPid(Number(url.port));
      expect(alive(pid)).toBe(true);
    } finally {
      await manager.stop();
    }
    expect(pid).toBeDefined();
    expect(alive(pid ?? 0)).toBe(false);
  });

  it('when its parent process is killed with SIGKILL, then DynamoDB Local exits too', async () => {
    const fixture = join(__dirname, 'fixtures', 'start-dynamodb-local.ts');
    const parent = spawn(process.execPath, ['-r', REGISTER_TS, fixture], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    const parentExited = new Promise((resolve) => parent.once('exit', resolve));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: parent.stdout }).once('line', resolve);
        parent.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
      });
      const { pid } = JSON.parse(line) as { pid: number; endpoint: string };
      expect(alive(pid)).toBe(true);

      parent.kill('SIGKILL');
      await parentExited;

      expect(await waitUntil(() => !alive(pid), 15_000)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

/** The pid of the process listening on 127.0.0.1:port, from /proc (Linux), to watch it die. */
function findJavaPid(port: number): number {
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  const match = /pid=(\d+)/.exec(out);
  if (!match?.[1]) throw new Error(`no process listens on ${port}: ${out}`);
  return Number(match[1]);
}
