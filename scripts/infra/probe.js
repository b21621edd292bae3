// Readiness probe for the local infrastructure: succeeds only when the service answers a real request
// (Kafka: a metadata request through kafkajs; DynamoDB Local: ListTables through the AWS SDK).
// CLI:  node scripts/infra/probe.js kafka|dynamodb <address> [--wait <seconds>] [--pid <pid>]
// The CLI also requires Kafka to serve a consumer group and an idempotent producer (see kafkaWarmUp).
// exit 0 = answered, 1 = no answer before the deadline, 2 = usage error, 3 = the watched pid exited.
// Also required by tests/setup/global-setup.ts, which reuses `answers`.
'use strict';

const ATTEMPT_TIMEOUT_MS = 2000;
const POLL_INTERVAL_MS = 300;

/** Resolves true when the Kafka broker(s) at `brokers` (comma list host:port) answer a metadata request. */
async function kafkaAnswers(brokers, timeoutMs = ATTEMPT_TIMEOUT_MS) {
  // Required lazily: a probe loads only the client it needs (the AWS SDK alone takes ~0.3 s).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Kafka, logLevel } = require('kafkajs');
  const kafka = new Kafka({
    clientId: 'tradeflow-infra-probe',
    brokers: brokers.split(','),
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    // A broker that is up but not yet serving shows no brokers or no controller in its metadata.
    if (cluster.brokers.length === 0 || cluster.controller === null || cluster.controller < 0) return false;
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Resolves true once the broker serves consumer groups and idempotent producers. A fresh broker creates
 * __consumer_offsets and fetches a producer-id block lazily, answering COORDINATOR_NOT_AVAILABLE /
 * LOAD_IN_PROGRESS until then; doing both here spares the first test the wait and the error logs.
 */
async function kafkaWarmUp(brokers, timeoutMs = ATTEMPT_TIMEOUT_MS) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Kafka, logLevel } = require('kafkajs');
  const kafka = new Kafka({
    clientId: 'tradeflow-infra-probe',
    brokers: brokers.split(','),
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  try {
    await admin.connect();
    await admin.describeGroups(['tradeflow-infra-warm-up']);
    await producer.connect();
    return true;
  } catch {
    return false;
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

/** Resolves true when DynamoDB (Local) at `endpoint` answers ListTables. */
async function dynamodbAnswers(endpoint, timeoutMs = ATTEMPT_TIMEOUT_MS) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DynamoDBClient, ListTablesCommand } = require('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
  });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

/** One attempt against a service of the given kind ('kafka' or 'dynamodb'). */
function answers(kind, address, timeoutMs = ATTEMPT_TIMEOUT_MS) {
  if (kind === 'kafka') return kafkaAnswers(address, timeoutMs);
  if (kind === 'dynamodb') return dynamodbAnswers(address, timeoutMs);
  throw new Error(`unknown kind ${kind} (expected kafka or dynamodb)`);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

async function main(argv) {
  const [kind, address, ...rest] = argv;
  let waitSeconds = 0;
  let pid;
  for (let i = 0; i < rest.length; i += 2) {
    if (rest[i] === '--wait') waitSeconds = Number(rest[i + 1]);
    else if (rest[i] === '--pid') pid = Number(rest[i + 1]);
    else return usage(`unknown option ${rest[i]}`);
  }
  if ((kind !== 'kafka' && kind !== 'dynamodb') || !address || !(waitSeconds >= 0)) return usage();
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    if ((await answers(kind, address)) && (kind !== 'kafka' || (await kafkaWarmUp(address)))) return 0;
    if (pid !== undefined && !alive(pid)) return 3;
    if (Date.now() >= deadline) return 1;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

function usage(problem) {
  if (problem) process.stderr.write(`probe: ${problem}\n`);
  process.stderr.write('usage: probe.js kafka|dynamodb <address> [--wait <seconds>] [--pid <pid>]\n');
  return 2;
}

module.exports = { answers, kafkaAnswers, kafkaWarmUp, dynamodbAnswers };

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`probe: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
