/** Validates the environment once at start and reports every problem in one message. */
import { z } from 'zod';
import { ConfigError, type FieldIssue } from '../errors';

/** A schema over the variables, or named schemas each parsed against the same variables. */
export type ConfigSpec = z.ZodType | { readonly [name: string]: z.ZodType };

/** The typed result of a spec: the schema's output, or one output per name. */
export type ConfigOf<S extends ConfigSpec> = S extends z.ZodType
  ? z.output<S>
  : { [K in keyof S]: S[K] extends z.ZodType ? z.output<S[K]> : never };

/** The environment, or any map of variable names to strings. */
export type EnvVars = Readonly<Record<string, string | undefined>>;

/** EX_CONFIG from sysexits.h: the process cannot run with this configuration. */
export const CONFIG_EXIT_CODE = 78;

/** `FOO=` in a shell or a manifest means "not set", so an empty value falls back to the default. */
function withoutEmpty(vars: EnvVars): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(vars)) if (value !== undefined && value !== '') out[key] = value;
  return out;
}

function toFieldIssue(issue: z.core.$ZodIssue): FieldIssue {
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(environment)';
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  return { field, message: missing ? 'is required' : issue.message };
}

/**
 * Parses `vars` (default `process.env`) with `spec` and returns the typed value, or throws a ConfigError
 * listing every missing or invalid variable, each named by its variable.
 */
export function loadConfig<S extends ConfigSpec>(spec: S, vars: EnvVars = process.env): ConfigOf<S> {
  const input = withoutEmpty(vars);
  const named: [string | undefined, z.ZodType][] =
    spec instanceof z.ZodType ? [[undefined, spec]] : Object.entries(spec as Record<string, z.ZodType>);

  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const result: Record<string, unknown> = {};
  let single: unknown;
  for (const [name, schema] of named) {
    // reportInput lets an unset variable read "is required" even in a plain z.string() of a service schema.
    const parsed = schema.safeParse(input, { reportInput: true });
    if (parsed.success) {
      if (name === undefined) single = parsed.data;
      else result[name] = parsed.data;
      continue;
    }
    for (const issue of parsed.error.issues.map(toFieldIssue)) {
      const key = `${issue.field}\0${issue.message}`;
      if (!seen.has(key)) issues.push(issue);
      seen.add(key);
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return (spec instanceof z.ZodType ? single : result) as ConfigOf<S>;
}

/** Where reportConfigErrorAndExit writes and how it exits; tests replace both. */
export interface ExitHooks {
  stderr?: { write(text: string): unknown };
  exit?: (code: number) => void;
}

/** The one message printed for a bad configuration: the service, then one line per variable. */
export function formatConfigError(err: ConfigError, serviceName: string): string {
  const lines = err.issues.map((issue) => `  - ${issue.field}: ${issue.message}`);
  return `${serviceName}: invalid configuration, not starting:\n${lines.join('\n')}\n`;
}

/** Prints one clear message (no stack trace) to stderr and exits with 78 (EX_CONFIG). */
export function reportConfigErrorAndExit(err: ConfigError, serviceName: string, hooks: ExitHooks = {}): void {
  const { stderr = process.stderr, exit = (code: number) => process.exit(code) } = hooks;
  stderr.write(formatConfigError(err, serviceName));
  exit(CONFIG_EXIT_CODE);
}

/** loadConfig for a composition root: on a ConfigError prints it and exits 78 instead of throwing. */
export function loadConfigOrExit<S extends ConfigSpec>(
  spec: S,
  serviceName: string,
  vars: EnvVars = process.env,
  hooks: ExitHooks = {},
): ConfigOf<S> {
  try {
    return loadConfig(spec, vars);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    reportConfigErrorAndExit(err, serviceName, hooks);
    // Only reached when a test's exit hook returns.
    throw err;
  }
}
