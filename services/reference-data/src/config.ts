/** The reference-data service's own variables; bus, store and process variables come from the platform. */
import { env, serviceHttpEnv } from '@tradeflow/platform/config';
import { z } from 'zod';
import { DEFAULT_SEED } from './seed/generate';

/** `REFERENCE_DATA_SEED` (20240601): the seed of the generated demo data that `npm run seed` and seed-on-start load. */
export const referenceDataEnv = z
  .object({ REFERENCE_DATA_SEED: env.positiveInt().default(DEFAULT_SEED) })
  .transform((v) => ({ seed: v.REFERENCE_DATA_SEED }));
export type ReferenceDataConfig = z.output<typeof referenceDataEnv>;

/** `HTTP_HOST` (127.0.0.1), `REFERENCE_DATA_HTTP_PORT` (8082), `HTTP_BODY_LIMIT` (1mb). */
export const referenceDataHttpEnv = serviceHttpEnv('REFERENCE_DATA', 8082);

/** The service's config fragments, keyed so they sit beside every other service's in the all-in-one. */
export const config = { referenceData: referenceDataEnv, referenceDataHttp: referenceDataHttpEnv } as const;
