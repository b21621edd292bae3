/**
 * What access control stores and the admin API exchanges: consumers, usage plans and API key records, as zod
 * schemas (the admin API validates bodies with them; the repositories parse stored items with them).
 */
import { ALL_ACCOUNTS, Scope } from '@tradeflow/platform/identity';
import { z } from 'zod';

/** Every scope a consumer may hold. */
export const ALL_SCOPES: readonly Scope[] = Object.values(Scope);

/** The plan of consumers that name none. */
export const DEFAULT_PLAN = 'default';

/** A consumer id: what `sub` of a JWT names and `x-tradeflow-consumer` carries. */
export const ConsumerId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
  error: 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
});

/** A plan name. */
export const PlanName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'must be 1-63 lower-case letters, digits or "-"' });

/** An account id (no commas or spaces: the identity header carries a comma list). */
export const AccountId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'must be 1-64 letters, digits, ".", "_" or "-"' });

/** The accounts a consumer may act for: a list, or `*` for every account. */
export const Accounts = z.union([z.literal(ALL_ACCOUNTS), z.array(AccountId).min(1).max(1000)], {
  error: 'must be "*" or a list of 1-1000 account ids',
});
export type Accounts = z.output<typeof Accounts>;

/** The consumer's scopes: platform `Scope` values, each at most once. */
export const Scopes = z
  .array(z.enum(ALL_SCOPES as [Scope, ...Scope[]]))
  .max(ALL_SCOPES.length)
  .refine((s) => new Set(s).size === s.length, { error: 'must not repeat a scope' });

/** A consumer as stored and shown. */
export const Consumer = z.object({
  id: ConsumerId,
  name: z.string().min(1).max(200),
  accounts: Accounts,
  scopes: Scopes,
  plan: PlanName,
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int().min(1),
});
export type Consumer = z.output<typeof Consumer>;

/** The body of `POST /admin/v1/consumers`. */
export const CreateConsumer = z.strictObject({
  id: ConsumerId,
  name: z.string().min(1).max(200),
  accounts: Accounts,
  scopes: Scopes,
  plan: PlanName.optional(),
});
export type CreateConsumer = z.output<typeof CreateConsumer>;

/** The body of `PATCH /admin/v1/consumers/{id}`: any of the fields, at least one. */
export const UpdateConsumer = z
  .strictObject({
    name: z.string().min(1).max(200).optional(),
    accounts: Accounts.optional(),
    scopes: Scopes.optional(),
    plan: PlanName.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { error: 'must change at least one field' });
export type UpdateConsumer = z.output<typeof UpdateConsumer>;

/** A plan's limits: a token bucket (rate and burst) and a quota per UTC day. */
export const PlanLimits = z.object({
  /** Tokens added per second (sustained requests per second). */
  ratePerSecond: z.number().positive().max(1_000_000),
  /** Bucket size: requests allowed at once after a quiet period. */
  burst: z.number().int().min(1).max(10_000_000),
  /** Requests per UTC day. */
  dailyQuota: z.number().int().min(1).max(1_000_000_000_000),
});
export type PlanLimits = z.output<typeof PlanLimits>;

/** A usage plan as stored and shown. */
export const Plan = PlanLimits.extend({
  name: PlanName,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Plan = z.output<typeof Plan>;

/** The body of `POST /admin/v1/plans`. */
export const CreatePlan = PlanLimits.extend({ name: PlanName }).strict();
export type CreatePlan = z.output<typeof CreatePlan>;

/** The body of `PATCH /admin/v1/plans/{name}`. */
export const UpdatePlan = PlanLimits.partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { error: 'must change at least one field' });
export type UpdatePlan = z.output<typeof UpdatePlan>;

/** Longest grace period a rotated key may keep working: 30 days. */
export const MAX_GRACE_SECONDS = 30 * 24 * 3600;

/** The body of `POST .../keys/{keyId}/rotate` (optional). */
export const RotateKey = z.strictObject({
  /** How long the old key keeps working; 0 (default) revokes it at once. */
  gracePeriodSeconds: z.number().int().min(0).max(MAX_GRACE_SECONDS).default(0),
});

/** An API key record as stored: never the secret, only its hash. */
export const StoredKey = z.object({
  keyId: z.string(),
  consumerId: z.string(),
  secretHash: z.string(),
  status: z.enum(['active', 'revoked']),
  createdAt: z.string(),
  /** When a rotation replaced it. */
  rotatedAt: z.string().optional(),
  /** The key that replaced it. */
  replacedBy: z.string().optional(),
  /** End of the grace period after a rotation: the key stops working then. */
  expiresAt: z.string().optional(),
  revokedAt: z.string().optional(),
});
export type StoredKey = z.output<typeof StoredKey>;

/** What a key's holder can do with it now. */
export type KeyState = 'active' | 'expiring' | 'expired' | 'revoked';

/** The state of a stored key at `nowMs`. */
export function keyState(key: StoredKey, nowMs: number): KeyState {
  if (key.status === 'revoked') return 'revoked';
  if (key.expiresAt === undefined) return 'active';
  return Date.parse(key.expiresAt) > nowMs ? 'expiring' : 'expired';
}

/** A key as the admin API lists it: never the secret, never its hash. */
export interface KeyView {
  keyId: string;
  consumerId: string;
  /** What the key starts with, to recognise it (`tfk_<keyId>_…`). */
  hint: string;
  state: KeyState;
  createdAt: string;
  rotatedAt?: string;
  replacedBy?: string;
  expiresAt?: string;
  revokedAt?: string;
}

/** The listable view of a stored key. */
export function keyView(key: StoredKey, nowMs: number): KeyView {
  const { secretHash: _hash, status: _status, ...rest } = key;
  return { ...rest, hint: `tfk_${key.keyId}_…`, state: keyState(key, nowMs) };
}
