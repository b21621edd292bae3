import type { ReferenceKind } from '@tradeflow/contracts';
import type { Bus } from '@tradeflow/platform/bus';
import { ensureTables, withTablePrefix, type DynamoClients } from '@tradeflow/platform/store';
import { REFERENCE_KINDS } from '../domain/changes';
import { DEFAULT_PUBLISH_CHUNK, ReferencePublisher } from '../events/reference-publisher';
import { ReferenceRepository } from '../store/reference-repository';
import { referenceDataTables } from '../store/tables';
import { DEFAULT_SEED, generateSeed, seedRecords, type SeedData } from './generate';

/** Where a seed load is; reported after the tables are ready and after each written or published chunk. */
export interface SeedProgress {
  phase: 'prepared' | 'written' | 'publishing' | 'done';
  total: number;
  written: number;
  published: number;
}

export interface LoadSeedOptions {
  /** The DynamoDB clients (`client` creates the table when missing, `doc` writes). */
  store: Pick<DynamoClients, 'client' | 'doc'>;
  /** An initialised bus. */
  bus: Bus;
  /** The environment's TABLE_PREFIX (default none). */
  tablePrefix?: string;
  /** A seed number for generateSeed (default DEFAULT_SEED) or ready-made data. */
  seed?: number | SeedData;
  /** The generated prices' `asOf` and restrictions' `since` are relative to this (default now). */
  now?: Date;
  /** Records per publishBatch call (default 500). */
  chunkSize?: number;
  onProgress?: (progress: SeedProgress) => void;
}

/** What a load wrote and published. */
export interface SeedLoadResult {
  counts: Record<ReferenceKind, number>;
  total: number;
  written: number;
  published: number;
  durationMs: number;
}

/** How long the table may take to appear. */
const TABLES_TIMEOUT_MS = 30_000;

/**
 * Loads the reference data set: ensures the table and the compacted topic, writes every entity with
 * batchWriteAll, then publishes every change in load order, `chunkSize` per publishBatch. Idempotent: a
 * second run with the same seed and `now` writes the same items and publishes the same latest state per key.
 */
export async function loadSeed(options: LoadSeedOptions): Promise<SeedLoadResult> {
  const began = Date.now();
  const { store, bus, tablePrefix = '', chunkSize = DEFAULT_PUBLISH_CHUNK, onProgress } = options;
  const data =
    typeof options.seed === 'object'
      ? options.seed
      : generateSeed({ seed: options.seed ?? DEFAULT_SEED, now: options.now ?? new Date() });
  const records = seedRecords(data);
  const tables = withTablePrefix(referenceDataTables, tablePrefix);
  const repository = new ReferenceRepository(store.doc, tables.reference);
  const publisher = new ReferencePublisher(bus);
  const progress = { total: records.length, written: 0, published: 0 };

  await ensureTables(store.client, Object.values(tables), { timeoutMs: TABLES_TIMEOUT_MS });
  await publisher.ensureTopic();
  onProgress?.({ phase: 'prepared', ...progress });

  // Written before published: a consumer that sees a change can always read it back from the API.
  const written = await repository.putAll(
    records.map(({ change }) => ({ kind: change.kind, id: change.id, entity: change.entity })),
  );
  progress.written = written.written;
  onProgress?.({ phase: 'written', ...progress });

  progress.published = await publisher.publishAll(records, {
    chunkSize,
    onChunk: (published) => onProgress?.({ phase: 'publishing', ...progress, published }),
  });
  onProgress?.({ phase: 'done', ...progress });

  const counts = Object.fromEntries(REFERENCE_KINDS.map((kind) => [kind, 0])) as Record<
    ReferenceKind,
    number
  >;
  for (const { change } of records) counts[change.kind]++;
  return {
    counts,
    total: records.length,
    written: progress.written,
    published: progress.published,
    durationMs: Date.now() - began,
  };
}
