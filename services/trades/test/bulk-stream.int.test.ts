/**
 * A bulk upload of 100,000 lines streamed over a socket: the service imports it while it arrives (progress
 * moves before the client has sent everything) and its memory does not grow with the size of the upload.
 */
import { request as httpRequest } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { eventually, instrument, TRADER, TradesHarness } from './support/harness';

// About a minute on an idle machine; several while `make test` also builds Jaeger and Helm in the background.
jest.setTimeout(600_000);

const LINES = 100_000;
/** The client sends this many lines, then waits until the job shows progress before sending the rest. */
const FIRST_PART = 20_000;
// ~200 bytes per line: about 20 MB in all.
const PADDING = 'p'.repeat(50);

let h: TradesHarness;

beforeAll(async () => {
  h = await TradesHarness.start({
    instruments: [instrument('TICKY')],
    env: { TRADES_BULK_CHUNK_SIZE: '1000' },
  });
  // A bus that acknowledges and forgets: the memory bus would otherwise keep 100,000 events in this process.
  h.bus.discardPublishes = true;
});

// What the test leaves running until it ends; stopped here too, since a timed-out test never reaches its own
// cleanup and a sampler forcing full GCs would slow every later suite in this worker.
const cleanups: (() => void)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups) cleanup();
  await h?.close();
});

interface Job {
  state: string;
  linesRead: number;
  accepted: number;
  rejected: number;
}

function line(n: number, accountId: string): string {
  // Every 1,000th line is bad (quantity 0).
  const quantity = n % 1000 === 0 ? 0 : (n % 500) + 1;
  return `{"accountId":"${accountId}","symbol":"TICKY","side":"BUY","quantity":${quantity},"price":12.5,"currency":"USD","tradeTime":"2025-06-02T14:30:00Z","clientTradeId":"c${n}-${PADDING}"}\n`;
}

it('when 100,000 lines are streamed, then progress moves while the upload runs, memory stays flat, and every line is accounted for', async () => {
  const base = await h.url();
  const accountId = `STREAM-${h.run.toUpperCase()}`;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let bytesSent = 0;

  // Live memory only: garbage not collected yet says nothing about what the import holds on to.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const samples: number[] = [];
  const memory = (): number => {
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const baseline = memory();
  // Every 3 s: each sample is a full collection, and under jest's single worker (2 cores) the heap holds the
  // earlier suites too, so sampling more often spends the run in GC.
  const sampler = setInterval(() => samples.push(memory()), 3_000);
  cleanups.push(() => clearInterval(sampler));

  const req = httpRequest(`${base}/v1/trades/bulk`, {
    method: 'POST',
    headers: { ...TRADER, 'content-type': 'application/x-ndjson' },
  });
  const response = new Promise<{ status: number; location: string; done: Promise<void> }>(
    (resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        const done = new Promise<void>((end) => res.on('end', () => end()));
        res.resume();
        resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? '', done });
      });
    },
  );
  const sending = (async () => {
    for (let n = 1; n <= LINES; n++) {
      if (n === FIRST_PART + 1) await gate;
      const text = line(n, accountId);
      bytesSent += text.length;
      if (!req.write(text)) await new Promise((r) => req.once('drain', r));
    }
    req.end();
  })();

  const { status, location, done } = await response;
  expect(status).toBe(202);
  // Before the rest is sent: the first part is being imported already.
  const early = await eventually(
    async () => {
      const job = (await h.api().get(location).expect(200)).body as Job;
      return job.linesRead > 0 ? job : undefined;
    },
    'progress on the first part',
    60_000,
  );
  expect(early.state).toBe('RUNNING');
  release();

  const progress: number[] = [early.linesRead];
  let stopWatching = false;
  cleanups.push(() => (stopWatching = true));
  const watcher = (async () => {
    // Stops with the test too (a timeout must not leave it polling a service that is being closed).
    while (!stopWatching) {
      const job = (await h.api().get(location).expect(200)).body as Job;
      if (job.state !== 'RUNNING') return job;
      progress.push(job.linesRead);
      await new Promise((r) => setTimeout(r, 500));
    }
    return undefined;
  })();
  let final: Job | undefined;
  try {
    await sending;
    await done;
    final = await watcher;
  } finally {
    stopWatching = true;
    clearInterval(sampler);
  }

  expect(final).toMatchObject({
    state: 'COMPLETED',
    linesRead: LINES,
    accepted: LINES - LINES / 1000,
    rejected: LINES / 1000,
  });
  expect(h.bus.published).toBe(LINES - LINES / 1000);
  // Progress was reported along the way, never going back.
  expect(new Set(progress).size).toBeGreaterThan(3);
  expect(progress).toEqual([...progress].sort((a, b) => a - b));
  // Holding the upload would take at least its size; the import's own memory stays well below it.
  const growth = Math.max(...samples) - baseline;
  process.stdout.write(
    `[bulk-stream] ${LINES} lines, ${(bytesSent / 1e6).toFixed(1)} MB sent; peak heap+buffers growth ${(growth / 1e6).toFixed(1)} MB\n`,
  );
  expect(growth).toBeLessThan(bytesSent);
});
