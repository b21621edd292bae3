/**
 * `node services/all-in-one/dist/banner-cli.js <shape description> <how to stop>`: prints the banner for the
 * services at their configured ports (`*_HTTP_PORT`, `HTTP_HOST`), as `make up` does once they are ready.
 */
import { loadConfigOrExit, serviceHttpEnv } from '@tradeflow/platform/config';
import { localUrl, startBanner } from './banner';

const ports = loadConfigOrExit(
  {
    trades: serviceHttpEnv('TRADES', 8081),
    referenceData: serviceHttpEnv('REFERENCE_DATA', 8082),
    validation: serviceHttpEnv('VALIDATION', 8083),
  },
  'banner',
);
const [shape = 'distributed', stop = '`make down`'] = process.argv.slice(2);
process.stdout.write(
  startBanner({
    shape,
    stop,
    tradesUrl: localUrl(ports.trades),
    referenceDataUrl: localUrl(ports.referenceData),
    validationUrl: localUrl(ports.validation),
    now: new Date(),
  }),
);
