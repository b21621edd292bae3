/**
 * `make bench-gateway`: one cheap GET endpoint loaded (a) directly, (b) through the gateway (API key, a plan
 * that never rejects, tracing exported over OTLP to a local sink) and (c) through nginx as a plain reverse
 * proxy. First each target's most requests per second (closed loop), then p50/p99 of each at one fixed rate,
 * half the gateway's maximum (open loop). Prints the table and the ratios and rewrites the gateway block of
 * docs/benchmarks.md. Everything on loopback; every process it starts is stopped at the end, also on failure.
 *
 * usage: node -r ./tests/support/register-ts.cjs scripts/bench/gateway.ts
 * env:   BENCH_CONNECTIONS (32)  BENCH_DURATION seconds per measurement (6)  BENCH_WARMUP seconds (3)
 *        BENCH_LABEL (a note for the history row, e.g. "before: …")  BENCH_WRITE_DOC (1; 0 prints only)
 *        BENCH_NICE (e.g. -10: every process of the run, this one included, gets that scheduling priority, so
 *        a machine busy with other work skews the figures less; negative values need root)
 *        BENCH_TRACING=0: the gateway without tracing (what tracing costs; the doc's block says so)
 *        BENCH_PROFILE=1: instead, profile the gateway under its maximum load (node --cpu-prof) and print the
 *        hot spots.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { summariseProfile, type HotSpot } from './lib/cpu-profile';
import { readBlock, writeBlock } from './lib/doc-block';
import { fixedRate, maxRate, type FixedRateResult, type MaxRateResult, type Target } from './lib/load';
import { describeMachine, machineLine, type Machine } from './lib/machine';
import { ensureNginx, startNginx } from './lib/nginx';
import { cpuTimeMs, freePort, ProcessGroup, waitForHttp, type Started } from './lib/processes';

const ROOT = resolve(__dirname, '..', '..');
const RUN_DIR = join(ROOT, '.cache', 'bench', 'gateway');
const REGISTER_TS = join(ROOT, 'tests', 'support', 'register-ts.cjs');
const STUB_SERVER = join(__dirname, 'lib', 'stub-server.ts');
const GATEWAY_MAIN = join(ROOT, 'services', 'gateway', 'dist', 'main.js');
const DOC = join(ROOT, 'docs', 'benchmarks.md');
const BLOCK = 'gateway';

const CONNECTIONS = positive('BENCH_CONNECTIONS', 32);
const DURATION_S = positive('BENCH_DURATION', 6);
const WARMUP_S = positive('BENCH_WARMUP', 3);
/** Full-speed runs per target; the best counts. */
const MAX_ROUNDS = 2;
const LABEL = process.env.BENCH_LABEL ?? '';
const WRITE_DOC = process.env.BENCH_WRITE_DOC !== '0';
const PROFILE = process.env.BENCH_PROFILE === '1';
/** 0: the gateway runs without tracing (to see what tracing costs); the figures say so. */
const TRACING = process.env.BENCH_TRACING !== '0';
const NICE =
  process.env.BENCH_NICE === undefined || process.env.BENCH_NICE === ''
    ? undefined
    : Number(process.env.BENCH_NICE);
/** Worker processes of the same-resources pair: nginx's `worker_processes` and the gateway's GATEWAY_WORKERS. */
const WORKERS = 2;
/** What the cluster primary logs once every worker listens (services/gateway/src/cluster.ts). */
const WORKERS_LISTENING = 'every gateway worker listens';
/** The gateway's sampler: the standard OTEL_TRACES_SAMPLER (and _ARG); always_on samples every request. */
const SAMPLER = process.env.BENCH_TRACES_SAMPLER || 'always_on';
const SAMPLER_ARG = process.env.BENCH_TRACES_SAMPLER_ARG || undefined;
/** The whole run, start-up and teardown included, stays under 3 minutes. */
const DEADLINE_MS = 175_000;
/** The endpoint loaded: the trades service's `GET /v1/trades/<id>`, answered by a stub with a fixed trade. */
const ENDPOINT = '/v1/trades/T-BENCH-0001';

/** Targets: at least 0.8 of nginx's throughput, at most 1 ms of added p99 at half the gateway's maximum. */
const TARGET_THROUGHPUT_RATIO = 0.8;
const TARGET_ADDED_P99_MS = 1;

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number (got ${raw})`);
  return value;
}

function say(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** A target and the process whose CPU time its requests cost (the upstream for direct calls, else the proxy). */
interface Loaded extends Target {
  pid: number;
}

interface Environment {
  group: ProcessGroup;
  direct: Loaded;
  nginx: Loaded;
  nodeFloor: Loaded;
  gateway: Loaded;
  gatewayProcess: Started;
  /** The same-resources pair: nginx with WORKERS worker processes, the gateway with GATEWAY_WORKERS=WORKERS. */
  nginxWorkers: Loaded;
  gatewayWorkers: Loaded;
  nginxVersion: string;
  cleanups: (() => Promise<void>)[];
}

async function main(): Promise<void> {
  const machine = describeMachine();
  if (NICE !== undefined) {
    if (!Number.isInteger(NICE) || NICE < -20 || NICE > 19)
      throw new Error('BENCH_NICE must be an integer from -20 to 19');
    setPriority(NICE);
  }
  const group = new ProcessGroup(RUN_DIR, NICE);
  const cleanups: (() => Promise<void>)[] = [];
  let finished = false;
  const teardown = async (): Promise<void> => {
    await group.stopAll();
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((err: unknown) => say(`cleanup: ${String(err)}`));
  };
  const abort = (why: string, code: number): void => {
    if (finished) return;
    finished = true;
    say(why);
    void teardown().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => abort('interrupted; stopping what the benchmark started', 130));
  process.once('SIGTERM', () => abort('terminated; stopping what the benchmark started', 143));
  const watchdog = setTimeout(
    () => abort(`over the ${DEADLINE_MS / 1000} s budget; stopping`, 1),
    DEADLINE_MS,
  );
  watchdog.unref();

  try {
    const env = await startEverything(group, cleanups);
    if (PROFILE) await profile(env);
    else await measure(env, machine);
  } finally {
    clearTimeout(watchdog);
    if (!finished) {
      finished = true;
      await teardown();
    }
  }
}

async function startEverything(group: ProcessGroup, cleanups: (() => Promise<void>)[]): Promise<Environment> {
  for (const name of [
    'upstream',
    'otlp-sink',
    'nginx',
    'nginx-workers',
    'node-proxy',
    'gateway',
    'gateway-workers',
  ])
    group.reapStale(name, RUN_DIR);
  const nginxVersion = ensureNginx();
  if (!existsSync(GATEWAY_MAIN)) throw new Error(`${GATEWAY_MAIN} is missing: run \`make build\` first`);

  const [
    upstreamPort,
    sinkPort,
    nginxPort,
    gatewayPort,
    adminPort,
    floorPort,
    nginxWorkersPort,
    gatewayWorkersPort,
    adminWorkersPort,
  ] = await Promise.all(Array.from({ length: 9 }, () => freePort()));
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  const upstream = group.start('upstream', process.execPath, [
    '-r',
    REGISTER_TS,
    STUB_SERVER,
    'upstream',
    `${upstreamPort}`,
  ]);
  const sink = group.start('otlp-sink', process.execPath, [
    '-r',
    REGISTER_TS,
    STUB_SERVER,
    'otlp-sink',
    `${sinkPort}`,
  ]);
  await waitForHttp(`${upstreamUrl}${ENDPOINT}`, { timeoutMs: 15_000, status: 200, process: upstream });
  await waitForHttp(`http://127.0.0.1:${sinkPort}/`, { timeoutMs: 15_000, process: sink });

  const nginxDir = join(RUN_DIR, 'nginx');
  const nginx = startNginx(group, nginxDir, nginxPort ?? 0, upstreamUrl);
  const nginxUrl = `http://127.0.0.1:${nginxPort}`;
  await waitForHttp(`${nginxUrl}${ENDPOINT}`, { timeoutMs: 15_000, status: 200, process: nginx });
  const nginxWorkers = startNginx(group, join(RUN_DIR, 'nginx-workers'), nginxWorkersPort ?? 0, upstreamUrl, {
    workers: WORKERS,
    name: 'nginx-workers',
  });
  const nginxWorkersUrl = `http://127.0.0.1:${nginxWorkersPort}`;
  await waitForHttp(`${nginxWorkersUrl}${ENDPOINT}`, {
    timeoutMs: 15_000,
    status: 200,
    process: nginxWorkers,
  });

  const floor = group.start('node-proxy', process.execPath, [
    '-r',
    REGISTER_TS,
    STUB_SERVER,
    'node-proxy',
    `${floorPort}`,
    upstreamUrl,
  ]);
  const floorUrl = `http://127.0.0.1:${floorPort}`;
  await waitForHttp(`${floorUrl}${ENDPOINT}`, { timeoutMs: 15_000, status: 200, process: floor });

  const dynamodb = await ensureDynamoDb(cleanups);
  const tablePrefix = `bench-gw-${Date.now().toString(36)}-`;
  cleanups.push(() => deleteTables(dynamodb, tablePrefix));
  const apiKey = `tfk_bench${randomBytes(4).toString('hex')}_${randomBytes(32).toString('base64url')}`;
  const profileDir = join(RUN_DIR, 'profile');
  if (PROFILE) rmSync(profileDir, { recursive: true, force: true });
  const gatewayEnv = (port: number | undefined, admin: number | undefined, workers: number) => ({
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    HTTP_HOST: '127.0.0.1',
    GATEWAY_HTTP_PORT: `${port}`,
    GATEWAY_ADMIN_HTTP_PORT: `${admin}`,
    GATEWAY_ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    GATEWAY_UPSTREAM_TRADES_URL: upstreamUrl,
    GATEWAY_UPSTREAM_REFERENCE_DATA_URL: upstreamUrl,
    GATEWAY_UPSTREAM_VALIDATION_URL: upstreamUrl,
    GATEWAY_WORKERS: `${workers}`,
    // The demo consumer: every scope, and a plan (10,000/s, burst 20,000) far above what one core serves here.
    GATEWAY_DEMO_CONSUMER: 'true',
    GATEWAY_DEMO_API_KEY: apiKey,
    DYNAMODB_ENDPOINT: dynamodb,
    TABLE_PREFIX: tablePrefix,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // Tracing on: spans exported over OTLP/HTTP to the local sink, sampled as SAMPLER says.
    OTEL_SDK_DISABLED: TRACING ? 'false' : 'true',
    OTEL_TRACES_SAMPLER: SAMPLER,
    ...(SAMPLER_ARG === undefined ? {} : { OTEL_TRACES_SAMPLER_ARG: SAMPLER_ARG }),
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`,
    OTEL_SERVICE_NAME: 'gateway-bench',
  });
  const gatewayProcess = group.start(
    'gateway',
    process.execPath,
    [...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), GATEWAY_MAIN],
    gatewayEnv(gatewayPort, adminPort, 1),
  );
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  await waitForHttp(`${gatewayUrl}/readyz`, { timeoutMs: 60_000, status: 200, process: gatewayProcess });
  const headers = { 'x-api-key': apiKey };
  await probeGateway(gatewayUrl, headers, gatewayProcess);
  // Started after the first: the tables and the demo consumer exist by then.
  const gatewayWorkersProcess = group.start(
    'gateway-workers',
    process.execPath,
    [GATEWAY_MAIN],
    gatewayEnv(gatewayWorkersPort, adminWorkersPort, WORKERS),
  );
  const gatewayWorkersUrl = `http://127.0.0.1:${gatewayWorkersPort}`;
  await waitForHttp(`${gatewayWorkersUrl}/readyz`, {
    timeoutMs: 60_000,
    status: 200,
    process: gatewayWorkersProcess,
  });
  await waitForWorkers(gatewayWorkersProcess, 60_000);
  await probeGateway(gatewayWorkersUrl, headers, gatewayWorkersProcess);

  return {
    group,
    direct: { name: 'direct', url: `${upstreamUrl}${ENDPOINT}`, pid: upstream.pid },
    nginx: { name: 'nginx', url: `${nginxUrl}${ENDPOINT}`, pid: nginx.pid },
    nodeFloor: { name: 'node floor', url: `${floorUrl}${ENDPOINT}`, pid: floor.pid },
    gateway: { name: 'gateway', url: `${gatewayUrl}${ENDPOINT}`, headers, pid: gatewayProcess.pid },
    gatewayProcess,
    nginxWorkers: { name: `nginx ×${WORKERS}`, url: `${nginxWorkersUrl}${ENDPOINT}`, pid: nginxWorkers.pid },
    gatewayWorkers: {
      name: `gateway ×${WORKERS}`,
      url: `${gatewayWorkersUrl}${ENDPOINT}`,
      headers,
      pid: gatewayWorkersProcess.pid,
    },
    nginxVersion,
    cleanups,
  };
}

/** One request with the benchmark's key: it must be a 200, or the run stops (the log says why). */
async function probeGateway(url: string, headers: Record<string, string>, process: Started): Promise<void> {
  const probe = await fetch(`${url}${ENDPOINT}`, { headers });
  await probe.body?.cancel();
  if (probe.status !== 200)
    throw new Error(`the gateway answered ${probe.status} to the benchmark's key; see ${process.logFile}`);
}

/** Waits for the cluster primary's line saying every worker listens (the first one alone answers before). */
async function waitForWorkers(process: Started, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!readFileSync(process.logFile, 'utf8').includes(WORKERS_LISTENING)) {
    if (Date.now() > deadline)
      throw new Error(`the gateway's workers did not all listen; see ${process.logFile}`);
    await sleep(100);
  }
}

/** DynamoDB Local at DYNAMODB_ENDPOINT or the default address; started (and stopped afterwards) when silent. */
async function ensureDynamoDb(cleanups: (() => Promise<void>)[]): Promise<string> {
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';
  try {
    await waitForHttp(endpoint, { timeoutMs: 1_000 });
    return endpoint;
  } catch {
    if (process.env.DYNAMODB_ENDPOINT !== undefined)
      throw new Error(`DynamoDB Local does not answer at ${endpoint}`);
  }
  say('starting DynamoDB Local for the gateway (scripts/infra/dynamodb.sh up)');
  execFileSync(join(ROOT, 'scripts', 'infra', 'dynamodb.sh'), ['up'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  cleanups.push(() => {
    execFileSync(join(ROOT, 'scripts', 'infra', 'dynamodb.sh'), ['down'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return Promise.resolve();
  });
  return endpoint;
}

/** Drops the tables the gateway created under this run's prefix. */
async function deleteTables(endpoint: string, prefix: string): Promise<void> {
  const { DynamoDBClient, ListTablesCommand, DeleteTableCommand } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    // ListTables answers 100 names at a time, and the shared DynamoDB Local holds other runs' tables too.
    const names: string[] = [];
    let start: string | undefined;
    do {
      const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
      names.push(...(page.TableNames ?? []));
      start = page.LastEvaluatedTableName;
    } while (start !== undefined);
    for (const name of names.filter((n) => n.startsWith(prefix)))
      await client.send(new DeleteTableCommand({ TableName: name }));
  } finally {
    client.destroy();
  }
}

interface Row {
  target: Loaded;
  max: MaxRateResult;
  /** CPU time of the target's process per request during the maximum run, in ms. */
  cpuMsPerRequest: number;
  fixed?: FixedRateResult;
}

async function measure(env: Environment, machine: Machine): Promise<void> {
  const targets = [env.direct, env.nginx, env.nodeFloor, env.gateway, env.nginxWorkers, env.gatewayWorkers];
  // Two rounds, the targets taking turns, and the better of each target's two runs: other work on the machine
  // only ever lowers a run's figures, and taking turns spreads a busy moment over the targets.
  const rows: Row[] = [];
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    for (const target of targets) {
      if (round === 1) {
        say(`${target.name}: warm-up ${WARMUP_S} s (${CONNECTIONS} connections)`);
        await maxRate(target, { connections: CONNECTIONS, durationS: WARMUP_S });
      }
      say(`${target.name}: ${DURATION_S} s at full speed, round ${round} of ${MAX_ROUNDS}`);
      const cpuBefore = cpuTimeMs(target.pid);
      const max = await maxRate(target, { connections: CONNECTIONS, durationS: DURATION_S });
      const cpuMsPerRequest = (cpuTimeMs(target.pid) - cpuBefore) / Math.max(1, max.rps * DURATION_S);
      const index = rows.findIndex((r) => r.target === target);
      const previous = rows[index];
      if (previous === undefined) rows.push({ target, max, cpuMsPerRequest });
      else if (max.rps > previous.max.rps) rows[index] = { target, max, cpuMsPerRequest };
    }
  }
  const byName = (name: string): Row => rows.find((r) => r.target.name === name) as Row;
  const gateway = byName(env.gateway.name);
  const direct = byName(env.direct.name);
  const nginx = byName(env.nginx.name);
  const floor = byName(env.nodeFloor.name);
  const gatewayN = byName(env.gatewayWorkers.name);
  const nginxN = byName(env.nginxWorkers.name);
  // Latency at half of each gateway's maximum, against direct calls and nginx at the same rate. (The node
  // floor's maximum and CPU are what it is here for: its latency run is left out to keep the run short.)
  const rate = Math.max(1, Math.floor(gateway.max.rps / 2));
  const rateN = Math.max(1, Math.floor(gatewayN.max.rps / 2));
  const latency = async (row: Row, at: number): Promise<FixedRateResult> => {
    say(`${row.target.name}: ${WARMUP_S} + ${DURATION_S} s at ${at} requests/s`);
    return fixedRate(row.target, {
      connections: CONNECTIONS,
      durationS: DURATION_S,
      rate: at,
      warmupS: WARMUP_S,
    });
  };
  for (const row of [direct, nginx, gateway]) row.fixed = await latency(row, rate);
  const directN = await latency(direct, rateN);
  for (const row of [nginxN, gatewayN]) row.fixed = await latency(row, rateN);
  const problems = [...rows.flatMap((r) => [r.max, r.fixed]), directN].flatMap((r) =>
    r !== undefined && r.non2xx + r.errors > 0 ? [r] : [],
  ).length;

  const summary = {
    floorVsNginx: floor.max.rps / nginx.max.rps,
    cpuVsFloor: gateway.cpuMsPerRequest / floor.cpuMsPerRequest,
    throughputVsNginx: gateway.max.rps / nginx.max.rps,
    throughputVsDirect: gateway.max.rps / direct.max.rps,
    addedP99Ms: (gateway.fixed?.p99Ms ?? NaN) - (direct.fixed?.p99Ms ?? NaN),
    addedP99VsNginxMs: (gateway.fixed?.p99Ms ?? NaN) - (nginx.fixed?.p99Ms ?? NaN),
    workersVsNginxWorkers: gatewayN.max.rps / nginxN.max.rps,
    workersAddedP99Ms: (gatewayN.fixed?.p99Ms ?? NaN) - directN.p99Ms,
    workersAddedP99VsNginxMs: (gatewayN.fixed?.p99Ms ?? NaN) - (nginxN.fixed?.p99Ms ?? NaN),
  };
  const table = renderTable(rows, {
    rate,
    rateN,
    directN,
    workerNames: [nginxN.target.name, gatewayN.target.name],
  });
  const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  const verdict = [
    `one process each — gateway/nginx throughput ${summary.throughputVsNginx.toFixed(2)} (target ≥ ${TARGET_THROUGHPUT_RATIO}): ${met(summary.throughputVsNginx >= TARGET_THROUGHPUT_RATIO)}`,
    `${WORKERS} workers each — gateway ×${WORKERS}/nginx ×${WORKERS} throughput ${summary.workersVsNginxWorkers.toFixed(2)} (target ≥ ${TARGET_THROUGHPUT_RATIO}): ${met(summary.workersVsNginxWorkers >= TARGET_THROUGHPUT_RATIO)}`,
    `gateway/direct throughput ${summary.throughputVsDirect.toFixed(2)}`,
    `added p99 at ${rate}/s (half the gateway's maximum): ${summary.addedP99Ms.toFixed(2)} ms over direct (target ≤ ${TARGET_ADDED_P99_MS} ms: ${met(summary.addedP99Ms <= TARGET_ADDED_P99_MS)}), ${summary.addedP99VsNginxMs.toFixed(2)} ms over nginx`,
    `added p99 at ${rateN}/s (half gateway ×${WORKERS}'s maximum): ${summary.workersAddedP99Ms.toFixed(2)} ms over direct (direct's p99 ${directN.p99Ms.toFixed(2)} ms at that rate; target ≤ ${TARGET_ADDED_P99_MS} ms: ${met(summary.workersAddedP99Ms <= TARGET_ADDED_P99_MS)}), ${summary.workersAddedP99VsNginxMs.toFixed(2)} ms over nginx ×${WORKERS}`,
    `node floor/nginx throughput ${summary.floorVsNginx.toFixed(2)}: the most one Node proxy process gets here; the gateway uses ${summary.cpuVsFloor.toFixed(1)}× the floor's CPU per request`,
  ];
  process.stdout.write(`\n${table}\n\n${verdict.join('\n')}\n`);
  if (problems > 0) process.stdout.write(`warning: ${problems} measurements had requests not answered 2xx\n`);
  for (const r of rows) {
    const bad = r.max.non2xx + r.max.errors + (r.fixed?.non2xx ?? 0) + (r.fixed?.errors ?? 0);
    if (bad > 0) process.stdout.write(`warning: ${r.target.name}: ${bad} requests not answered 2xx\n`);
  }
  if (WRITE_DOC) {
    recordMeasurement({
      machine,
      table,
      verdict,
      rows,
      rate,
      rateN,
      summary,
      nginxVersion: env.nginxVersion,
    });
    say(`wrote the gateway block of ${DOC}`);
  }
}

function ms(value: number | undefined): string {
  return value === undefined ? '—' : value.toFixed(2);
}

interface TableRates {
  rate: number;
  rateN: number;
  /** Direct calls at `rateN`, the baseline of the workers' pair. */
  directN: FixedRateResult;
  /** The rows measured at `rateN`. */
  workerNames: string[];
}

function renderTable(rows: Row[], { rate, rateN, directN, workerNames }: TableRates): string {
  const line = (name: string, max: string, cpu: string, at: string, fixed: FixedRateResult | undefined) =>
    `| ${name} | ${max} | ${cpu} | ${at} | ${ms(fixed?.p50Ms)} | ${ms(fixed?.p90Ms)} | ${ms(fixed?.p99Ms)} | ${ms(fixed?.maxMs)} |`;
  const lines = [
    '| target | max requests/s | CPU ms/request | latency at requests/s | p50 ms | p90 ms | p99 ms | max ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) =>
      line(
        r.target.name,
        `${Math.round(r.max.rps)}`,
        r.cpuMsPerRequest.toFixed(3),
        r.fixed === undefined ? '—' : `${workerNames.includes(r.target.name) ? rateN : rate}`,
        r.fixed,
      ),
    ),
    line(`direct (at gateway ×${WORKERS}'s half)`, '', '', `${rateN}`, directN),
  ];
  return lines.join('\n');
}

interface BlockInput {
  machine: Machine;
  table: string;
  verdict: string[];
  rows: Row[];
  rate: number;
  rateN: number;
  summary: {
    throughputVsNginx: number;
    throughputVsDirect: number;
    addedP99Ms: number;
    cpuVsFloor: number;
    workersVsNginxWorkers: number;
    workersAddedP99Ms: number;
  };
  nginxVersion: string;
}

/**
 * The block's parts: the last measurement, what changed and what it bought (written by hand from the runs'
 * output, kept as is), the last profile (BENCH_PROFILE=1), the history of measurements.
 */
const CHANGES_START = '<!-- changes -->';
const PROFILE_START = '<!-- profile -->';
const HISTORY_START = '<!-- history -->';
const HISTORY_LIMIT = 12;

interface BlockParts {
  measurement: string;
  changes: string;
  profile: string;
  history: string[];
}

/** The block as it is in the doc, split in its parts (empty ones when the doc or a part is missing). */
function currentBlock(): BlockParts {
  const text = readBlock(DOC, BLOCK) ?? '';
  const [beforeHistory = '', history = ''] = text.split(HISTORY_START);
  // The history's heading sits just before its marker: it is written again with the history.
  const [measurementAndChanges = '', profile = ''] = beforeHistory
    .replace(/History \(newest first[\s\S]*$/, '')
    .split(PROFILE_START);
  const [measurement = '', changes = ''] = measurementAndChanges.split(CHANGES_START);
  return {
    measurement: measurement.trim(),
    changes: changes.trim(),
    profile: profile.trim(),
    history: history.split('\n').filter((l) => /^\| \d{4}-/.test(l)),
  };
}

function writeParts(parts: BlockParts): void {
  const measurement = parts.measurement || '## Gateway\n\nNot measured yet: run `make bench-gateway`.';
  writeBlock(
    DOC,
    BLOCK,
    `${measurement}

${CHANGES_START}
${parts.changes}

${PROFILE_START}
${parts.profile || 'Not profiled yet: run `BENCH_PROFILE=1 make bench-gateway`.'}

History (newest first; direct, nginx and gateway in requests/s; the gateway's CPU ms per request; added p99 over
direct in ms):

${HISTORY_START}
| date | commit | direct | nginx | gateway | gateway CPU ms/req | gw/nginx | added p99 | load | note |
|---|---|---:|---:|---:|---:|---:|---:|---:|---|
${parts.history.slice(0, HISTORY_LIMIT).join('\n')}
`,
  );
}

/** Rewrites the measurement part of the block and adds its row to the history; keeps the profile part. */
function recordMeasurement(input: BlockInput): void {
  const { machine, summary } = input;
  const row = (name: string): Row | undefined => input.rows.find((r) => r.target.name === name);
  const rps = (name: string): number => Math.round(row(name)?.max.rps ?? 0);
  const settings = [
    TRACING ? `tracing on (${samplerLine()})` : 'TRACING OFF',
    NICE === undefined ? '' : `nice ${NICE}`,
  ]
    .filter((x) => x !== '')
    .join(', ');
  const pair = `×${WORKERS}: gateway ${rps(`gateway ×${WORKERS}`)}, nginx ${rps(`nginx ×${WORKERS}`)}, ${summary.workersVsNginxWorkers.toFixed(2)}, added p99 ${summary.workersAddedP99Ms.toFixed(2)}`;
  const note = [settings, pair, LABEL.replace(/\|/g, '/')].filter((x) => x !== '').join('; ');
  const entry = `| ${machine.date} | ${machine.commit} | ${rps('direct')} | ${rps('nginx')} | ${rps('gateway')} | ${(row('gateway')?.cpuMsPerRequest ?? NaN).toFixed(3)} | ${summary.throughputVsNginx.toFixed(2)} | ${summary.addedP99Ms.toFixed(2)} | ${machine.loadAverage} | ${note} |`;
  const tracing = TRACING
    ? `tracing on (OTEL_TRACES_SAMPLER=${samplerLine()}${SAMPLER === 'always_on' ? ': every request sampled' : ''}; spans exported over OTLP/HTTP to a local sink process)`
    : '**tracing off** (BENCH_TRACING=0)';
  const nice =
    NICE === undefined
      ? ''
      : ` Every process of the run had scheduling priority nice ${NICE} (BENCH_NICE), so the rest of a busy machine weighed less on the figures.`;
  const measurement = `## Gateway

\`make bench-gateway\` (scripts/bench/gateway.ts), last run ${machine.date} at ${machine.commit} on ${machineLine(machine)}; 1-minute load average ${machine.loadAverage} when it started (other work on the machine lowers every figure).${nice}

The endpoint is \`GET ${ENDPOINT}\` answered by a stub upstream (node:http, a fixed ~300-byte trade, its own
process), loaded (a) directly, (b) through the gateway with an API key (the demo consumer, plan 10,000/s), the
rate limit and the daily quota counted, ${tracing} and an access log line per request, (c) through
${input.nginxVersion} as a plain reverse proxy (one worker, like the gateway's one Node process; keep-alive upstream
connections; access log on), (d) through the "node floor": the least a Node reverse proxy does (node:http,
an undici keep-alive pool, the body piped back; no auth, logging, metrics or tracing), what any gateway written
in Node stands on, and (e) the same-resources pair: the gateway with \`GATEWAY_WORKERS=${WORKERS}\` (node:cluster)
against nginx with \`worker_processes ${WORKERS}\` (never N gateway workers against one nginx worker). Maximum: autocannon, ${CONNECTIONS} connections, ${DURATION_S} s after a ${WARMUP_S} s warm-up, the
better of ${MAX_ROUNDS} runs per target taken in turns; CPU
ms/request is the CPU time (user + system, all threads) the target's own process (the upstream, nginx, the
node floor, the gateway) used per request during that run; a busy machine skews it less than requests/s, though it still does.
Latency: an open-loop generator (an undici pool of up to ${CONNECTIONS} connections) starting requests at an even
rate, half the gateway's maximum (${input.rate}/s for the one-process targets, ${input.rateN}/s for the ×${WORKERS} pair, with
direct calls measured again at that rate), for ${DURATION_S} s after a ${WARMUP_S} s warm-up at that rate; from send to the
body's end. The load generator runs on the same ${machine.cores} cores as every target.

${input.table}

${input.verdict.map((v) => `- ${v}`).join('\n')}`;
  const previous = currentBlock();
  writeParts({ ...previous, measurement, history: [entry, ...previous.history] });
}

/** The sampler as configured: `always_on`, or `parentbased_traceidratio=0.1`. */
function samplerLine(): string {
  return SAMPLER_ARG === undefined ? SAMPLER : `${SAMPLER}=${SAMPLER_ARG}`;
}

async function profile(env: Environment): Promise<void> {
  say(`profiling the gateway: warm-up ${WARMUP_S} s, then ${DURATION_S} s at full speed`);
  await maxRate(env.gateway, { connections: CONNECTIONS, durationS: WARMUP_S });
  const loadStarted = Date.now();
  const result = await maxRate(env.gateway, { connections: CONNECTIONS, durationS: DURATION_S });
  const loadEnded = Date.now();
  // The profile is written when the process exits.
  await env.gatewayProcess.stop(30_000);
  const stopped = Date.now();
  const dir = join(RUN_DIR, 'profile');
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile in ${dir}`);
  // Only the samples of the measured load: not the start, the warm-up or the shutdown.
  const { functions, places, ours, onStack, busyMs } = summariseProfile(join(dir, file), {
    top: 20,
    window: { fromEndMs: stopped - loadStarted, toEndMs: stopped - loadEnded },
  });
  const pct = (share: number): string => `${(share * 100).toFixed(1).padStart(5)} %`;
  process.stdout.write(
    `\ngateway: ${Math.round(result.rps)} requests/s while profiled; ${busyMs} ms sampled busy (wall time)\n`,
  );
  process.stdout.write('\nself time by place:\n');
  for (const p of places) process.stdout.write(`  ${pct(p.share)}  ${p.name}\n`);
  process.stdout.write('\nfunctions with the most self time:\n');
  for (const f of functions) process.stdout.write(`  ${pct(f.share)}  ${f.name}\n`);
  process.stdout.write('\ntime under our own functions (the nearest services/ frame above each sample):\n');
  for (const f of ours) process.stdout.write(`  ${pct(f.share)}  ${f.name}\n`);
  process.stdout.write('\non the stack (a frame of the package or module anywhere above the sample):\n');
  for (const f of onStack) process.stdout.write(`  ${pct(f.share)}  ${f.name}\n`);
  process.stdout.write(`\nprofile: ${join(dir, file)} (open it in Chrome DevTools > Performance)\n`);
  if (WRITE_DOC) {
    const share = (rows: HotSpot[], n: number): string =>
      rows
        .slice(0, n)
        .map((r) => `${r.name.replace(/\|/g, '/')} ${(r.share * 100).toFixed(1)} %`)
        .join('; ');
    const machine = describeMachine();
    const profileText = `### Where the gateway's time goes

\`BENCH_PROFILE=1 make bench-gateway\`, ${machine.date} at ${machine.commit}: the gateway under its maximum load (${Math.round(result.rps)}
requests/s, ${TRACING ? 'tracing on' : 'tracing off'}${NICE === undefined ? '' : `, nice ${NICE}`}) with \`node --cpu-prof\`, the samples of the measured
${DURATION_S} s only, shares of the busy time.

- Self time by place: ${share(places, 10)}.
- Functions with the most self time: ${share(functions, 10)}.
- On the stack (the package or our module anywhere above the sample; shares overlap): ${share(onStack, 16)}.
- Under our own functions (nearest services/ frame): ${share(ours, 8)}.`;
    const previous = currentBlock();
    writeParts({ ...previous, profile: profileText });
    say(`wrote the profile part of the gateway block of ${DOC}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    say(`failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
