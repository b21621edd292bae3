import type { RuleFailure } from '@tradeflow/contracts';
import type { ValidationContext } from './context';

/** One validation rule: a stable id, a one-line description and a pure check of a trade. */
export interface Rule<Id extends string = string> {
  /** Stable identifier carried in outcomes, metrics and docs (`PRICE_COLLAR`). */
  readonly id: Id;
  /** One line for people: what the rule demands of a trade. */
  readonly description: string;
  /** The failure with a specific, readable reason, or `undefined` when the trade passes or the rule does not apply. */
  evaluate(ctx: ValidationContext): RuleFailure | undefined;
}

/** What a rule module declares: `check` returns the reason of a failure, or `undefined`. */
export interface RuleSpec<Id extends string> {
  readonly id: Id;
  readonly description: string;
  check(ctx: ValidationContext): string | undefined;
}

/** Builds a rule from its spec, so a failure always carries the rule's own id. */
export function defineRule<const Id extends string>(spec: RuleSpec<Id>): Rule<Id> {
  return {
    id: spec.id,
    description: spec.description,
    evaluate(ctx) {
      const reason = spec.check(ctx);
      return reason === undefined ? undefined : { ruleId: spec.id, reason };
    },
  };
}
