/**
 * `node services/all-in-one/dist/banner-cli.js <what runs> <how to stop>`: prints the banner for the services
 * at their configured addresses (each service's own `*_HTTP_PORT` and `HTTP_HOST`), as `make up` does once
 * they are ready.
 */
import { loadConfigOrExit } from '@tradeflow/platform/config';
import { config as referenceDataConfig } from '@tradeflow/reference-data/config';
import { config as tradesConfig } from '@tradeflow/trades/config';
import { config as validationConfig } from '@tradeflow/validation/config';
import { localUrl, startBanner } from './banner';

const c = loadConfigOrExit({ ...referenceDataConfig, ...validationConfig, ...tradesConfig }, 'banner');
const [shape = 'distributed', stop = '`make down`'] = process.argv.slice(2);
process.stdout.write(
  startBanner({
    shape,
    stop,
    tradesUrl: localUrl(c.trades.http),
    referenceDataUrl: localUrl(c.referenceDataHttp),
    validationUrl: localUrl(c.validation.http),
    now: new Date(),
  }),
);
