/**
 * What the admin API does: consumers, their keys and the usage plans. Every change made here is applied to
 * this replica's caches at once; other replicas see it within the key cache TTL (keys, consumers) or the
 * plan refresh interval (plans).
 */
import { NotFoundError, ValidationError } from '@tradeflow/platform/errors';
import { generateKey, type GeneratedKey } from './api-keys';
import type { Authenticator } from './authenticator';
import {
  DEFAULT_PLAN,
  keyView,
  type Consumer,
  type CreateConsumer,
  type CreatePlan,
  type KeyView,
  type Plan,
  type StoredKey,
  type UpdateConsumer,
  type UpdatePlan,
} from './model';
import type { PlanBook, PlanView } from './plan-book';
import { keyNotFound, type AccessRepository, type Page } from './store/access-repository';

/** A key as issued: the full key, shown this once, and its listable view. */
export interface IssuedKey extends KeyView {
  /** The API key itself. It is not stored and cannot be shown again. */
  key: string;
}

/** A rotation's result: the new key (shown once) and what became of the old one. */
export interface RotatedKey extends IssuedKey {
  previous: KeyView;
}

/** Admin operations over the gateway's tables and this replica's caches. */
export class AccessAdmin {
  constructor(
    private readonly repository: AccessRepository,
    private readonly plans: PlanBook,
    private readonly authenticator: Authenticator,
    private readonly clock: () => number,
  ) {}

  // --- consumers ---------------------------------------------------------------------------------

  /** Creates a consumer; 400 when its plan does not exist, 409 when the id is taken. */
  async createConsumer(input: CreateConsumer): Promise<Consumer> {
    const plan = input.plan ?? DEFAULT_PLAN;
    await this.requirePlan(plan);
    const now = this.now();
    const consumer: Consumer = { ...input, plan, createdAt: now, updatedAt: now, version: 1 };
    await this.repository.createConsumer(consumer);
    this.authenticator.evictConsumer(consumer.id);
    return consumer;
  }

  /** The consumer; 404 when there is none. */
  async getConsumer(id: string): Promise<Consumer> {
    const consumer = await this.repository.getConsumer(id);
    if (consumer === undefined) throw consumerNotFound(id);
    return consumer;
  }

  /** A page of consumers. */
  listConsumers(limit: number, cursor: string | undefined): Promise<Page<Consumer>> {
    return this.repository.listConsumers(limit, cursor);
  }

  /** Changes some fields of a consumer (assigning a plan is changing `plan`); 404, 400 for an unknown plan. */
  async updateConsumer(id: string, patch: UpdateConsumer): Promise<Consumer> {
    const current = await this.getConsumer(id);
    if (patch.plan !== undefined) await this.requirePlan(patch.plan);
    const next: Consumer = { ...current, ...patch, updatedAt: this.now(), version: current.version + 1 };
    await this.repository.replaceConsumer(next);
    this.authenticator.evictConsumer(id);
    return next;
  }

  /** Deletes a consumer and revokes its keys; 404 when there is none. */
  async deleteConsumer(id: string): Promise<void> {
    const keys = await this.repository.listKeys(id);
    const now = this.now();
    for (const key of keys) {
      if (key.status !== 'revoked') await this.repository.revokeKey(id, key.keyId, now);
      this.authenticator.evictKey(key.keyId);
    }
    await this.repository.deleteConsumer(id);
    this.authenticator.evictConsumer(id);
  }

  // --- keys --------------------------------------------------------------------------------------

  /** Issues a new key for a consumer; the result carries the key, which is shown this once. */
  async issueKey(consumerId: string): Promise<IssuedKey> {
    await this.getConsumer(consumerId);
    const generated = generateKey();
    const stored = this.stored(consumerId, generated);
    await this.repository.createKey(stored);
    return { ...keyView(stored, this.clock()), key: generated.key };
  }

  /** The consumer's keys, never their secrets or hashes; 404 when the consumer does not exist. */
  async listKeys(consumerId: string): Promise<KeyView[]> {
    await this.getConsumer(consumerId);
    const nowMs = this.clock();
    return (await this.repository.listKeys(consumerId)).map((k) => keyView(k, nowMs));
  }

  /**
   * Replaces a key by a new one. The old key keeps working for `gracePeriodSeconds` (0: it is revoked at
   * once), so clients can switch without an outage. 404 for another consumer's key, 409 for a key that is
   * revoked or already rotated.
   */
  async rotateKey(consumerId: string, keyId: string, gracePeriodSeconds: number): Promise<RotatedKey> {
    const previous = await this.repository.getKey(keyId);
    if (previous === undefined || previous.consumerId !== consumerId) throw keyNotFound(consumerId, keyId);
    const generated = generateKey();
    const nowMs = this.clock();
    const at = new Date(nowMs).toISOString();
    const next = this.stored(consumerId, generated);
    const expiresAt =
      gracePeriodSeconds > 0 ? new Date(nowMs + gracePeriodSeconds * 1000).toISOString() : undefined;
    await this.repository.rotateKey(previous, next, at, expiresAt);
    this.authenticator.evictKey(keyId);
    const updated: StoredKey =
      expiresAt === undefined
        ? { ...previous, status: 'revoked', revokedAt: at, rotatedAt: at, replacedBy: next.keyId }
        : { ...previous, rotatedAt: at, replacedBy: next.keyId, expiresAt };
    return { ...keyView(next, nowMs), key: generated.key, previous: keyView(updated, nowMs) };
  }

  /** Revokes a key at once (this replica) or within the key cache TTL (others); 404 for another consumer's key. */
  async revokeKey(consumerId: string, keyId: string): Promise<KeyView> {
    const revoked = await this.repository.revokeKey(consumerId, keyId, this.now());
    this.authenticator.evictKey(keyId);
    return keyView(revoked, this.clock());
  }

  /** Stores a key with a known secret for a consumer, active, whatever was stored under its id (demo key). */
  async putKey(consumerId: string, key: GeneratedKey): Promise<KeyView> {
    const existing = await this.repository.getKey(key.keyId);
    const stored: StoredKey = {
      ...this.stored(consumerId, key),
      createdAt: existing?.createdAt ?? this.now(),
    };
    await this.repository.putKey(stored);
    this.authenticator.evictKey(key.keyId);
    return keyView(stored, this.clock());
  }

  /** The stored record of a key id, if any. */
  findKey(keyId: string): Promise<StoredKey | undefined> {
    return this.repository.getKey(keyId);
  }

  // --- plans -------------------------------------------------------------------------------------

  /** Creates a plan; 409 when the name is taken (a stored `default` overrides the built-in one). */
  async createPlan(input: CreatePlan): Promise<PlanView> {
    const now = this.now();
    const plan: Plan = { ...input, createdAt: now, updatedAt: now };
    await this.repository.createPlan(plan);
    this.plans.remember(plan);
    return { ...plan, source: 'store' };
  }

  /** Changes a plan's limits; 404 when there is none. Changing `default` stores it, overriding config. */
  async updatePlan(name: string, patch: UpdatePlan): Promise<PlanView> {
    const stored = await this.repository.getPlan(name);
    const now = this.now();
    if (stored === undefined) {
      if (name !== DEFAULT_PLAN) throw planNotFound(name);
      const plan: Plan = { name, ...this.plans.defaultLimits, ...patch, createdAt: now, updatedAt: now };
      await this.repository.createPlan(plan);
      this.plans.remember(plan);
      return { ...plan, source: 'store' };
    }
    const plan: Plan = { ...stored, ...patch, updatedAt: now };
    await this.repository.replacePlan(plan, stored.updatedAt);
    this.plans.remember(plan);
    return { ...plan, source: 'store' };
  }

  /** Creates or replaces a plan whatever is stored (the demo plan at start). */
  async putPlan(name: string, limits: Omit<CreatePlan, 'name'>): Promise<PlanView> {
    const stored = await this.repository.getPlan(name);
    const now = this.now();
    const plan: Plan = { name, ...limits, createdAt: stored?.createdAt ?? now, updatedAt: now };
    await this.repository.putPlan(plan);
    this.plans.remember(plan);
    return { ...plan, source: 'store' };
  }

  /** The plan; 404 when there is none. */
  async getPlan(name: string): Promise<PlanView> {
    await this.plans.ensure(name);
    const plan = this.plans.view(name);
    if (plan === undefined) throw planNotFound(name);
    return plan;
  }

  /** Every plan, the built-in default included. */
  async listPlans(): Promise<PlanView[]> {
    await this.plans.refresh();
    return this.plans.list();
  }

  /** Creates or replaces a consumer whatever is stored (the demo consumer at start). */
  async putConsumer(input: CreateConsumer): Promise<Consumer> {
    const plan = input.plan ?? DEFAULT_PLAN;
    await this.requirePlan(plan);
    const current = await this.repository.getConsumer(input.id);
    const now = this.now();
    const consumer: Consumer = {
      ...input,
      plan,
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
      version: (current?.version ?? 0) + 1,
    };
    await this.repository.putConsumer(consumer);
    this.authenticator.evictConsumer(consumer.id);
    return consumer;
  }

  private async requirePlan(name: string): Promise<void> {
    await this.plans.ensure(name);
    if (!this.plans.has(name)) {
      throw new ValidationError([{ field: '/plan', message: `No plan named "${name}"; create it first.` }]);
    }
  }

  private stored(consumerId: string, key: GeneratedKey): StoredKey {
    return {
      keyId: key.keyId,
      consumerId,
      secretHash: key.secretHash,
      status: 'active',
      createdAt: this.now(),
    };
  }

  private now(): string {
    return new Date(this.clock()).toISOString();
  }
}

function consumerNotFound(id: string): NotFoundError {
  return new NotFoundError(`No consumer ${id}.`, 'CONSUMER.NOT_FOUND');
}

function planNotFound(name: string): NotFoundError {
  return new NotFoundError(`No plan ${name}.`, 'PLAN.NOT_FOUND');
}
