import { ConfigError, loadConfig } from '@tradeflow/platform/config';
import { tradesEnv } from '../src/config';

describe('trades config', () => {
  it('when nothing is set, then the documented defaults apply', () => {
    const config = loadConfig(tradesEnv, {});
    expect(config).toEqual({
      http: { host: '127.0.0.1', port: 8081, bodyLimit: '1mb' },
      intake: { batchMaxItems: 1000, singleGroupMax: 100, singleQueueMax: 2000 },
      bulk: {
        chunkSize: 500,
        maxLineBytes: 16_384,
        chunkAttempts: 3,
        uploadTimeoutMs: 3_600_000,
        retentionMs: 604_800_000,
      },
      idempotency: { ttlMs: 86_400_000, lockMs: 60_000 },
      status: { batchSize: 200, updateConcurrency: 16, concurrency: 2 },
      referenceCatchUpTimeoutMs: 60_000,
    });
  });

  it('when variables are set, then they are read under the service prefix', () => {
    const config = loadConfig(tradesEnv, {
      TRADES_HTTP_PORT: '9091',
      TRADES_BULK_CHUNK_SIZE: '50',
      TRADES_IDEMPOTENCY_TTL: '2h',
    });
    expect(config.http.port).toBe(9091);
    expect(config.bulk.chunkSize).toBe(50);
    expect(config.idempotency.ttlMs).toBe(7_200_000);
  });

  it('when the batch limit is above 1,000 or a size is not a number, then every bad variable is reported', () => {
    let error: unknown;
    try {
      loadConfig(tradesEnv, { TRADES_BATCH_MAX_ITEMS: '5000', TRADES_BULK_CHUNK_SIZE: 'lots' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.field).sort()).toEqual([
      'TRADES_BATCH_MAX_ITEMS',
      'TRADES_BULK_CHUNK_SIZE',
    ]);
  });
});
