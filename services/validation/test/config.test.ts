import { ConfigError, loadConfig } from '@tradeflow/platform/config';
import { config } from '../src/config';

describe('validation config', () => {
  it('when nothing is set, then the defaults apply: port 8083, ±5% collar, 15 min prices, 60 s duplicates, batches of 100, records kept a week', () => {
    expect(loadConfig(config, {})).toEqual({
      validation: {
        http: { host: '127.0.0.1', port: 8083, bodyLimit: '1mb' },
        settings: { priceCollarPercent: 5, stalePriceMaxAgeMs: 900_000, duplicateWindowMs: 60_000 },
        processor: { batchSize: 100, concurrency: 2, maxAttempts: 5, retryBackoffMs: 200 },
        referenceCatchUpTimeoutMs: 60_000,
        recordRetentionMs: 604_800_000,
      },
    });
  });

  it('when every variable is set, then each is parsed into its field', () => {
    const { validation } = loadConfig(config, {
      HTTP_HOST: '0.0.0.0',
      VALIDATION_HTTP_PORT: '9083',
      VALIDATION_PRICE_COLLAR_PERCENT: '2.5',
      VALIDATION_STALE_PRICE_MAX_AGE: '5m',
      VALIDATION_DUPLICATE_WINDOW: '30s',
      VALIDATION_BATCH_SIZE: '500',
      VALIDATION_CONCURRENCY: '6',
      VALIDATION_MAX_ATTEMPTS: '3',
      VALIDATION_RETRY_BACKOFF: '50ms',
      VALIDATION_REFERENCE_CATCH_UP_TIMEOUT: '2m',
      VALIDATION_RECORD_RETENTION: '48h',
    });

    expect(validation).toEqual({
      http: { host: '0.0.0.0', port: 9083, bodyLimit: '1mb' },
      settings: { priceCollarPercent: 2.5, stalePriceMaxAgeMs: 300_000, duplicateWindowMs: 30_000 },
      processor: { batchSize: 500, concurrency: 6, maxAttempts: 3, retryBackoffMs: 50 },
      referenceCatchUpTimeoutMs: 120_000,
      recordRetentionMs: 172_800_000,
    });
  });

  it('when several variables are wrong, then one error names every one of them', () => {
    const load = () =>
      loadConfig(config, {
        VALIDATION_HTTP_PORT: 'eighty',
        VALIDATION_PRICE_COLLAR_PERCENT: '0',
        VALIDATION_BATCH_SIZE: '-1',
        VALIDATION_DUPLICATE_WINDOW: 'a minute',
      });

    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (err) {
      expect((err as ConfigError).issues.map((i) => i.field).sort()).toEqual([
        'VALIDATION_BATCH_SIZE',
        'VALIDATION_DUPLICATE_WINDOW',
        'VALIDATION_HTTP_PORT',
        'VALIDATION_PRICE_COLLAR_PERCENT',
      ]);
    }
  });
});
