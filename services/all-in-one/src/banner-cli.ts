/**
 * `node services/all-in-one/dist/banner-cli.js <what runs> <how to stop>`: prints the banner for the gateway
 * and the services at their configured addresses (each one's own `*_HTTP_PORT` and `HTTP_HOST`) with the demo
 * key of `GATEWAY_DEMO_API_KEY`, as `make up` does once they are ready.
 */
import { config as gatewayConfig } from '@tradeflow/gateway/config';
import { env, loadConfigOrExit } from '@tradeflow/platform/config';
import { z } from 'zod';
import { config as referenceDataConfig } from '@tradeflow/reference-data/config';
import { config as tradesConfig } from '@tradeflow/trades/config';
import { config as validationConfig } from '@tradeflow/validation/config';
import { localUrl, startBanner } from './banner';

/** Where the admin listener is; its token is not needed here. */
const adminEnv = z
  .object({ HTTP_HOST: env.string().default('127.0.0.1'), GATEWAY_ADMIN_HTTP_PORT: env.port().default(8090) })
  .transform((v) => ({ host: v.HTTP_HOST, port: v.GATEWAY_ADMIN_HTTP_PORT }));

const c = loadConfigOrExit(
  {
    ...referenceDataConfig,
    ...validationConfig,
    ...tradesConfig,
    gateway: gatewayConfig.gateway,
    gatewayAccess: gatewayConfig.gatewayAccess,
    gatewayAdmin: adminEnv,
  },
  'banner',
);
const [shape = 'distributed', stop = '`make down`'] = process.argv.slice(2);
process.stdout.write(
  startBanner({
    shape,
    stop,
    gatewayUrl: localUrl(c.gateway.http),
    // Only when the gateway creates the demo consumer with this key (the local shapes give it one).
    apiKey: c.gatewayAccess.demo.enabled ? c.gatewayAccess.demo.apiKey : undefined,
    demoAccounts:
      c.gatewayAccess.demo.accounts === '*' ? 'every account' : c.gatewayAccess.demo.accounts.join(', '),
    adminUrl: localUrl(c.gatewayAdmin),
    tradesUrl: localUrl(c.trades.http),
    referenceDataUrl: localUrl(c.referenceDataHttp),
    validationUrl: localUrl(c.validation.http),
    now: new Date(),
  }),
);
