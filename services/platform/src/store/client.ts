/**
 * The DynamoDB client factory: one pooled keep-alive connection set per process, bounded connect and
 * request timeouts, and a document client that drops `undefined` attributes instead of rejecting them.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { observeStoreCalls, type StoreObserver } from './observer';
import { StoreTimeoutError, withStoreErrors } from './store-errors';

/** Static credentials; omit them to use the SDK's default provider chain (env, profile, web identity, IMDS). */
export interface StoreCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface DynamoClientOptions {
  /** DynamoDB Local or another endpoint (`http://127.0.0.1:18000`); omit for the AWS regional endpoint. */
  endpoint?: string | undefined;
  region: string;
  /**
   * Omitted with an `endpoint`: DynamoDB Local accepts any signature, so placeholder credentials are used
   * rather than probing the provider chain (which would fail on a laptop without an AWS profile).
   */
  credentials?: StoreCredentials | undefined;
  /** Upper bound of pooled sockets (default 50, the SDK's own default). */
  maxSockets?: number | undefined;
  /** Time to establish a TCP connection before failing (default 1000 ms). */
  connectionTimeoutMs?: number | undefined;
  /** Time a single HTTP request may take before failing; the SDK may retry it (default 5000 ms). */
  requestTimeoutMs?: number | undefined;
  /** Attempts per call, including the first, for the SDK's own retry of throttling and 5xx (default 3). */
  maxAttempts?: number | undefined;
  /** Told about every call of both clients (latency, items written); the metrics module's `storeObserver`. */
  observer?: StoreObserver | undefined;
}

export interface DynamoClients {
  /** The low-level client: table management, waiters, `pingStore`. Call `client.destroy()` at shutdown. */
  client: DynamoDBClient;
  /** The document client over the same connections: native JS values in, native JS values out. */
  doc: DynamoDBDocumentClient;
}

const LOCAL_CREDENTIALS: StoreCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Builds the low-level and document DynamoDB clients sharing one keep-alive connection pool. */
export function createDynamoClients(options: DynamoClientOptions): DynamoClients {
  const {
    endpoint,
    region,
    maxSockets = 50,
    connectionTimeoutMs = 1000,
    requestTimeoutMs = 5000,
    maxAttempts = 3,
  } = options;
  // Without keep-alive every call pays a TCP (and TLS) handshake; with it the sockets are reused.
  const agentOptions = { keepAlive: true, keepAliveMsecs: 1000, maxSockets };
  const requestHandler = new NodeHttpHandler({
    httpAgent: new HttpAgent(agentOptions),
    httpsAgent: new HttpsAgent(agentOptions),
    connectionTimeout: connectionTimeoutMs,
    requestTimeout: requestTimeoutMs,
    // Without this the handler only logs a warning when requestTimeout passes and keeps waiting.
    throwOnRequestTimeout: true,
  });
  const credentials = options.credentials ?? (endpoint === undefined ? undefined : LOCAL_CREDENTIALS);
  const client = new DynamoDBClient({
    region,
    requestHandler,
    maxAttempts,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(credentials === undefined ? {} : { credentials }),
  });
  if (options.observer !== undefined) observeStoreCalls(client, options.observer);
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { client, doc };
}

export interface PingOptions {
  /** Give up after this long so a readiness probe never hangs (default 2000 ms). */
  timeoutMs?: number;
}

/** Readiness check: one cheap ListTables call; rejects with a translated (retriable) error when the store is down. */
export async function pingStore(
  client: DynamoDBClient,
  { timeoutMs = 2000 }: PingOptions = {},
): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    await withStoreErrors(() => client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: signal }), {
      operation: 'ListTables',
    });
  } catch (err) {
    // The SDK reports our deadline as a bare abort; say what actually happened.
    if (signal.aborted)
      throw new StoreTimeoutError(`DynamoDB did not answer ListTables within ${timeoutMs} ms.`, err);
    throw err;
  }
}
