/** Reads one submitted trade: the strict schema, then the tick size of an instrument the cache knows. */
import type { FieldIssue } from '@tradeflow/platform/errors';
import { toFieldIssues } from '@tradeflow/platform/http';
import { TradeRequest, tickSizeProblem, type InstrumentLookup } from '../domain';

/** A valid trade request, or every problem with it (fields as JSON Pointers: `/price`). */
export type ParsedTrade = { ok: true; request: TradeRequest } | { ok: false; issues: FieldIssue[] };

/** Parses `input`, naming every invalid field at once; the tick check runs whenever price and symbol are valid. */
export function parseTradeInput(input: unknown, lookup: InstrumentLookup): ParsedTrade {
  const parsed = TradeRequest.safeParse(input);
  const issues = parsed.success ? [] : toFieldIssues(parsed.error.issues);
  const tickIssue = tickIssueOf(input, issues, lookup);
  if (tickIssue !== undefined) issues.push(tickIssue);
  if (issues.length > 0 || !parsed.success) return { ok: false, issues };
  return { ok: true, request: parsed.data };
}

function tickIssueOf(
  input: unknown,
  issues: readonly FieldIssue[],
  lookup: InstrumentLookup,
): FieldIssue | undefined {
  if (issues.some((i) => i.field === '' || i.field === '/price' || i.field === '/symbol')) return undefined;
  const { symbol, price } = input as { symbol: string; price: number };
  const problem = tickSizeProblem(symbol, price, lookup);
  return problem === undefined ? undefined : { field: '/price', message: problem };
}
