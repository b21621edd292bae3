/**
 * Reads the repository's Dockerfile the way `docker build` resolves it, for the instructions it uses: ARG
 * (global and per stage), FROM <image|stage> AS <name>, ENV, WORKDIR, USER, ENTRYPOINT, CMD and HEALTHCHECK.
 * The bundle test starts a bundle with the image's command, working folder and environment from here.
 */
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { REPO_ROOT } from '../../support/paths';

/** One instruction: its keyword (upper case) and the rest of its (joined) line. */
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  /** `FROM` as written (variables not yet expanded). */
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM, with their defaults. */
  globalArgs: Record<string, string | undefined>;
  stages: Stage[];
}

/** What a container of a target starts with. */
export interface ImageConfig {
  /** The resolved base image of the target's first stage that is not a stage of this file. */
  baseImage: string;
  env: Record<string, string>;
  workdir: string;
  entrypoint: string[];
  cmd: string[];
  user: string | undefined;
  /** The HEALTHCHECK's command (exec form), when there is one. */
  healthcheck: string[] | undefined;
}

/** Parses Dockerfile text: comments dropped, continuation lines joined. */
export function parseDockerfile(text: string): Dockerfile {
  const lines: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (current === '' && (line.startsWith('#') || line === '')) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    lines.push(current + line);
    current = '';
  }
  const result: Dockerfile = { globalArgs: {}, stages: [] };
  for (const line of lines) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: args.trim() };
    if (instruction.keyword === 'FROM') {
      const [from = '', as, name] = instruction.args.split(/\s+/);
      result.stages.push({
        from,
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        instructions: [],
      });
    } else if (result.stages.length === 0) {
      if (instruction.keyword === 'ARG') Object.assign(result.globalArgs, parseArg(instruction.args));
    } else {
      result.stages[result.stages.length - 1]?.instructions.push(instruction);
    }
  }
  return result;
}

function parseArg(args: string): Record<string, string | undefined> {
  const eq = args.indexOf('=');
  return eq < 0 ? { [args]: undefined } : { [args.slice(0, eq)]: unquote(args.slice(eq + 1)) };
}

function unquote(value: string): string {
  return value.replace(/^(["'])(.*)\1$/, '$2');
}

/** `${NAME}` and `$NAME` replaced from `vars` (unknown names become empty, as in Docker). */
export function expand(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_m, a?: string, b?: string) => {
      return vars[a ?? b ?? ''] ?? '';
    },
  );
}

/** `KEY=value KEY2="value 2"` of an ENV instruction (the legacy `ENV KEY value` form too). */
function parseEnv(args: string): [string, string][] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const [key = '', ...rest] = args.split(/\s+/);
    return [[key, rest.join(' ')]];
  }
  const pairs: [string, string][] = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  for (let m = re.exec(args); m !== null; m = re.exec(args)) pairs.push([m[1] ?? '', unquote(m[2] ?? '')]);
  return pairs;
}

/** The exec form (a JSON array) of CMD, ENTRYPOINT or HEALTHCHECK CMD; shell form is refused. */
function execForm(args: string, what: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a): a is string => typeof a === 'string')) {
    throw new Error(`${what} is not in exec form: ${args}`);
  }
  return parsed;
}

/** The configuration of the image `docker build --target <target> --build-arg ...` produces. */
export function imageConfig(
  dockerfile: Dockerfile,
  target: string,
  buildArgs: Record<string, string> = {},
): ImageConfig {
  const chain: Stage[] = [];
  for (let name: string | undefined = target; name !== undefined;) {
    const stage = dockerfile.stages.find((s) => s.name === name);
    if (stage === undefined) throw new Error(`no stage ${name} in the Dockerfile`);
    chain.unshift(stage);
    name = dockerfile.stages.some((s) => s.name === stage.from) ? stage.from : undefined;
  }
  const globals: Record<string, string | undefined> = { ...dockerfile.globalArgs };
  for (const [k, v] of Object.entries(buildArgs)) if (k in globals) globals[k] = v;
  const config: ImageConfig = {
    baseImage: expand(chain[0]?.from ?? '', globals),
    env: {},
    workdir: '/',
    entrypoint: [],
    cmd: [],
    user: undefined,
    healthcheck: undefined,
  };
  for (const stage of chain) {
    // A stage sees the global ARGs it re-declares, its own ARGs and the ENV so far.
    const args: Record<string, string | undefined> = {};
    for (const { keyword, args: text } of stage.instructions) {
      const vars = { ...args, ...config.env };
      switch (keyword) {
        case 'ARG': {
          for (const [name, fallback] of Object.entries(parseArg(text))) {
            args[name] = buildArgs[name] ?? (name in globals ? globals[name] : undefined) ?? fallback;
          }
          break;
        }
        case 'ENV':
          for (const [k, v] of parseEnv(text)) config.env[k] = expand(v, vars);
          break;
        case 'WORKDIR':
          config.workdir = posix.resolve(config.workdir, expand(text, vars));
          break;
        case 'USER':
          config.user = expand(text, vars);
          break;
        case 'ENTRYPOINT':
          config.entrypoint = execForm(text, 'ENTRYPOINT');
          // Docker: setting ENTRYPOINT resets an inherited CMD.
          config.cmd = [];
          break;
        case 'CMD':
          config.cmd = execForm(text, 'CMD');
          break;
        case 'HEALTHCHECK': {
          const at = text.indexOf('CMD ');
          config.healthcheck = at < 0 ? undefined : execForm(text.slice(at + 4).trim(), 'HEALTHCHECK');
          break;
        }
      }
    }
  }
  return config;
}

/** The repository's Dockerfile, parsed. */
export function readDockerfile(): Dockerfile {
  return parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
}
