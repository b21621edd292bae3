/**
 * The demo consumer of the local shapes: `demo`, bound to the seeded demo accounts, with every scope and a
 * generous plan, and an API key — the stable one from GATEWAY_DEMO_API_KEY, or a fresh one. Created or
 * updated at start (GATEWAY_DEMO_CONSUMER=true) and by `npm run demo-consumer`.
 */
import { ConflictError } from '@tradeflow/platform/errors';
import type { AccessAdmin } from './access-admin';
import { parseKey, keyFrom } from './api-keys';
import { ALL_SCOPES, type Accounts, type PlanLimits } from './model';

/** The demo consumer's id. */
export const DEMO_CONSUMER_ID = 'demo';

/** The demo consumer's plan: generous enough for the e2e suite and benchmarks not to be limited. */
export const DEMO_PLAN = 'demo';
export const DEMO_PLAN_LIMITS: PlanLimits = { ratePerSecond: 10_000, burst: 20_000, dailyQuota: 100_000_000 };

/** What ensuring the demo consumer produced; the start banner prints the key. */
export interface DemoConsumer {
  consumerId: string;
  accounts: Accounts;
  /** The API key to use (printed, never logged). */
  key: string;
  keyId: string;
  /** True when the key came from GATEWAY_DEMO_API_KEY, false when it was issued just now. */
  fromConfig: boolean;
}

export interface DemoConsumerOptions {
  accounts: Accounts;
  /** GATEWAY_DEMO_API_KEY, already checked for its format by the config. */
  apiKey: string | undefined;
}

/** Creates or updates the demo plan, consumer and key. */
export async function ensureDemoConsumer(
  admin: AccessAdmin,
  options: DemoConsumerOptions,
): Promise<DemoConsumer> {
  await admin.putPlan(DEMO_PLAN, DEMO_PLAN_LIMITS);
  await admin.putConsumer({
    id: DEMO_CONSUMER_ID,
    name: 'Demo consumer (local shapes)',
    accounts: options.accounts,
    scopes: [...ALL_SCOPES],
    plan: DEMO_PLAN,
  });
  if (options.apiKey === undefined) {
    const issued = await admin.issueKey(DEMO_CONSUMER_ID);
    return {
      consumerId: DEMO_CONSUMER_ID,
      accounts: options.accounts,
      key: issued.key,
      keyId: issued.keyId,
      fromConfig: false,
    };
  }
  const parsed = parseKey(options.apiKey);
  if (parsed === undefined) throw new Error('GATEWAY_DEMO_API_KEY is not an API key.');
  const existing = await admin.findKey(parsed.keyId);
  if (existing !== undefined && existing.consumerId !== DEMO_CONSUMER_ID) {
    throw new ConflictError(
      `The key id of GATEWAY_DEMO_API_KEY belongs to consumer ${existing.consumerId}, not to ${DEMO_CONSUMER_ID}.`,
      'KEY.EXISTS',
    );
  }
  const key = keyFrom(parsed.keyId, parsed.secret);
  await admin.putKey(DEMO_CONSUMER_ID, key);
  return {
    consumerId: DEMO_CONSUMER_ID,
    accounts: options.accounts,
    key: key.key,
    keyId: key.keyId,
    fromConfig: true,
  };
}
