/**
 * The usage plans in memory, because `admit` runs on every request and must not wait for DynamoDB. Loaded
 * at start and refreshed every few seconds (so a plan changed on another replica applies within that time);
 * a consumer's plan is also loaded when the consumer is, and this replica's admin API updates it at once.
 */
import { DEFAULT_PLAN, type Plan, type PlanLimits } from './model';
import type { AccessRepository } from './store/access-repository';

/** A plan as the admin API shows it: stored, or the built-in default from config. */
export type PlanView = PlanLimits & {
  name: string;
  source: 'store' | 'config';
  createdAt?: string;
  updatedAt?: string;
};

/** Every plan's limits, by name. */
export class PlanBook {
  private stored = new Map<string, Plan>();

  constructor(
    private readonly repository: Pick<AccessRepository, 'listPlans' | 'getPlan'>,
    /** The `default` plan's limits unless a plan of that name is stored. */
    readonly defaultLimits: PlanLimits,
  ) {}

  /** The limits of plan `name`; an unknown plan (deleted behind a consumer's back) gets the default's. */
  limits(name: string): PlanLimits {
    return this.stored.get(name) ?? this.stored.get(DEFAULT_PLAN) ?? this.defaultLimits;
  }

  /** True when the plan exists (stored, or the built-in default). */
  has(name: string): boolean {
    return this.stored.has(name) || name === DEFAULT_PLAN;
  }

  /** The plan as the admin API shows it, or undefined. */
  view(name: string): PlanView | undefined {
    const plan = this.stored.get(name);
    if (plan !== undefined) return { ...plan, source: 'store' };
    return name === DEFAULT_PLAN ? { name, ...this.defaultLimits, source: 'config' } : undefined;
  }

  /** Every plan, by name; the built-in default included unless a stored plan replaces it. */
  list(): PlanView[] {
    const names = new Set([...this.stored.keys(), DEFAULT_PLAN]);
    return [...names]
      .sort()
      .map((name) => this.view(name))
      .filter((p): p is PlanView => p !== undefined);
  }

  /** Reloads every stored plan. */
  async refresh(): Promise<void> {
    const plans = await this.repository.listPlans();
    this.stored = new Map(plans.map((p) => [p.name, p]));
  }

  /** Makes sure plan `name` is known here (a consumer names a plan created on another replica a moment ago). */
  async ensure(name: string): Promise<void> {
    if (this.stored.has(name)) return;
    const plan = await this.repository.getPlan(name);
    if (plan !== undefined) this.stored.set(name, plan);
  }

  /** Takes a plan this replica just wrote. */
  remember(plan: Plan): void {
    this.stored.set(plan.name, plan);
  }
}
