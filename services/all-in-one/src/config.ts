/** The all-in-one's own variables; every service's variables are read by that service's config fragment. */
import { env } from '@tradeflow/platform/config';
import { z } from 'zod';

/** `SEED_ON_START` (true), `EMBEDDED_DYNAMODB_PORT` (0: a free port), `ALL_IN_ONE_BANNER` (false). */
export const allInOneEnv = z
  .object({
    SEED_ON_START: env.boolean().default(true),
    EMBEDDED_DYNAMODB_PORT: env.port().default(0),
    ALL_IN_ONE_BANNER: env.boolean().default(false),
  })
  .transform((v) => ({
    /** Load the demo reference data once every module runs. */
    seedOnStart: v.SEED_ON_START,
    /** Port of the DynamoDB Local child (only when `DYNAMODB_ENDPOINT` is not set). */
    embeddedDynamoDbPort: v.EMBEDDED_DYNAMODB_PORT,
    /** Print the URLs and curl examples to stderr once started (`make start` sets it). */
    banner: v.ALL_IN_ONE_BANNER,
  }));
export type AllInOneConfig = z.output<typeof allInOneEnv>;

/** The all-in-one's config fragments. */
export const config = { allInOne: allInOneEnv } as const;
