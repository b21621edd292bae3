/**
 * `npm run demo-consumer -w @tradeflow/gateway`: creates or updates the demo consumer in the configured
 * DynamoDB (DYNAMODB_ENDPOINT, TABLE_PREFIX, GATEWAY_DEMO_ACCOUNTS, GATEWAY_DEMO_API_KEY) and prints its API
 * key on stdout — only the key, so `KEY=$(npm run -s demo-consumer -w @tradeflow/gateway)` works; what
 * happened goes to stderr. Exit 0 on success, 1 on failure, 78 on bad config. The compose init job and
 * `make up` run it.
 */
import { loadConfigOrExit, storeEnv } from '@tradeflow/platform/config';
import { createLogger } from '@tradeflow/platform/log';
import { createDynamoClients, ensureTables, withTablePrefix } from '@tradeflow/platform/store';
import { accessEnv } from './config';
import { ensureDemoConsumer } from './demo-consumer';
import { GatewayAccess } from './gateway-access';
import { AccessRepository } from './store/access-repository';
import { accessTables } from './store/tables';

const note = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const config = loadConfigOrExit({ store: storeEnv, gatewayAccess: accessEnv }, 'gateway-demo-consumer');
  const clients = createDynamoClients(config.store);
  // Log lines go to stderr: stdout carries only the key.
  const logger = createLogger({
    service: 'gateway-demo-consumer',
    level: 'warn',
    destination: process.stderr,
  });
  try {
    const tables = withTablePrefix(accessTables, config.store.tablePrefix);
    await ensureTables(clients.client, Object.values(tables), { timeoutMs: 30_000 });
    const access = new GatewayAccess({
      repository: new AccessRepository(clients.doc, tables),
      config: config.gatewayAccess,
      jwt: undefined,
      logger,
    });
    const { accounts, apiKey } = config.gatewayAccess.demo;
    const demo = await ensureDemoConsumer(access.admin, { accounts, apiKey });
    note(
      `demo consumer "${demo.consumerId}" ready in ${config.store.endpoint ?? `AWS ${config.store.region}`} ` +
        `(prefix "${config.store.tablePrefix}"), accounts ${accounts === '*' ? '*' : accounts.join(',')}, ` +
        `${demo.fromConfig ? 'key from GATEWAY_DEMO_API_KEY' : 'a new key'}:`,
    );
    process.stdout.write(`${demo.key}\n`);
    return 0;
  } catch (err) {
    note(`could not ensure the demo consumer: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    clients.client.destroy();
  }
}

void main().then((code) => {
  process.exitCode = code;
});
