/**
 * scripts/ship/bluegreen.sh against stand-ins of helm and kubectl (no cluster here): the order of its steps,
 * that nothing switches when the target colour is not ready, and the switch back when the new colour fails.
 * The stand-ins keep the active colour in a file, as the Service selector would, and log every call.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths';
import { run, type RunResult } from './helm-support';

const SCRIPT = join(REPO_ROOT, 'scripts', 'ship', 'bluegreen.sh');

/** kubectl: answers the queries the script makes from the state files; FAKE_UNREADY and FAKE_NO_ENDPOINTS fail a colour. */
const FAKE_KUBECTL = `#!/usr/bin/env bash
state=$FAKE_DIR
echo "kubectl $*" >>"$state/calls"
args=" $* "
active=$(cat "$state/active" 2>/dev/null || true)
case $args in
  *" get service -l "*) echo service/tradeflow-trades ;;
  *" get service/tradeflow-trades "*"active-colour"*) echo -n "$active" ;;
  *" get service/tradeflow-trades "*"selector"*) [[ -n $active ]] && echo -n "$active" ;;
  *" get endpointslices "*) [[ $active != "\${FAKE_NO_ENDPOINTS:-none}" ]] && printf 'true\\ntrue\\n' ;;
  *" get deployment -l "*"colour=blue"*) echo deployment.apps/tradeflow-trades-blue ;;
  *" get deployment -l "*"colour=green"*) echo deployment.apps/tradeflow-trades-green ;;
  *" get deployment.apps/"*) echo -n 3 ;;
  *" scale "*) echo scaled ;;
  *" rollout status "*"-\${FAKE_UNREADY:-none} "*) echo 'timed out waiting' >&2; exit 1 ;;
  *" rollout status "*) echo 'successfully rolled out' ;;
  *) echo "fake kubectl: unexpected call: $*" >&2; exit 9 ;;
esac
`;

/** helm: an upgrade that sets the active colour writes it; helm test fails when FAKE_TEST_FAILS is set. */
const FAKE_HELM = `#!/usr/bin/env bash
state=$FAKE_DIR
echo "helm $*" >>"$state/calls"
if [[ $* == *" upgrade "* || $1 == upgrade || $3 == upgrade ]]; then
  for arg in "$@"; do
    if [[ $arg == components.trades.blueGreen.active=* ]]; then echo -n "\${arg#*=}" >"$state/active"; fi
  done
  exit 0
fi
if [[ $* == *test* ]]; then [[ -z \${FAKE_TEST_FAILS:-} ]]; exit; fi
echo "fake helm: unexpected call: $*" >&2
exit 9
`;

let dir: string;

function write(name: string, text: string, mode = 0o644): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

/** Runs the script with the stand-ins, the active colour `active` ('' = not blue/green) and extra env. */
function bluegreen(
  args: string[],
  active: string,
  env: Record<string, string> = {},
): RunResult & { calls: string[] } {
  write('active', active);
  write('calls', '');
  const result = run(SCRIPT, args, {
    ...process.env,
    FAKE_DIR: dir,
    HELM: join(dir, 'helm'),
    KUBECTL: join(dir, 'kubectl'),
    ...env,
  });
  const calls = readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter(Boolean);
  return { ...result, calls };
}

const switches = (calls: string[]): string[] =>
  calls
    .filter((c) => c.startsWith('helm') && c.includes('blueGreen.active='))
    .map((c) => c.replace(/^.*active=/, ''));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tradeflow-bluegreen-'));
  write('kubectl', FAKE_KUBECTL, 0o755);
  write('helm', FAKE_HELM, 0o755);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('scripts/ship/bluegreen.sh', () => {
  it('when green is ready, then it scales green to the active size, waits, switches the Service and checks it', () => {
    const result = bluegreen(['--timeout', '5', 'tradeflow', 'trades', 'green'], 'blue');

    expect(result.stderr).toContain('trades now serves green');
    expect(result.status).toBe(0);
    const steps = result.calls.map((c) => c.split(' ').slice(0, 3).join(' '));
    const scale = steps.indexOf('kubectl scale deployment.apps/tradeflow-trades-green');
    const wait = steps.indexOf('kubectl rollout status');
    const upgrade = result.calls.findIndex((c) => c.startsWith('helm upgrade tradeflow'));
    expect(scale).toBeGreaterThanOrEqual(0);
    expect(wait).toBeGreaterThan(scale);
    expect(upgrade).toBeGreaterThan(wait);
    expect(result.calls).toContain('kubectl scale deployment.apps/tradeflow-trades-green --replicas=3');
    expect(result.calls[upgrade]).toBe(
      `helm upgrade tradeflow ${join(REPO_ROOT, 'charts', 'tradeflow')} --reuse-values --set components.trades.blueGreen.active=green`,
    );
    expect(switches(result.calls)).toEqual(['green']);
  });

  it('when green never becomes ready, then traffic stays on blue and nothing is switched', () => {
    const result = bluegreen(['--timeout', '5', 'tradeflow', 'trades', 'green'], 'blue', {
      FAKE_UNREADY: 'green',
    });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('tradeflow-trades-green did not become ready; traffic stays on blue');
    expect(switches(result.calls)).toEqual([]);
  });

  it('when green has no ready endpoint after the switch, then it switches back to blue and fails', () => {
    const result = bluegreen(['--timeout', '0', 'tradeflow', 'trades', 'green'], 'blue', {
      FAKE_NO_ENDPOINTS: 'green',
    });

    expect(result.status).toBe(1);
    expect(switches(result.calls)).toEqual(['green', 'blue']);
    expect(result.stderr).toContain('rolled back: trades serves blue again');
  });

  it('when --test is given and helm test fails after the switch, then it switches back', () => {
    const result = bluegreen(['--test', 'tradeflow', 'trades', 'green'], 'blue', { FAKE_TEST_FAILS: '1' });

    expect(result.status).toBe(1);
    expect(result.calls).toContain('helm test tradeflow --logs');
    expect(switches(result.calls)).toEqual(['green', 'blue']);
  });

  it('when --rollback is given, then it switches to the idle colour through the same checks', () => {
    const result = bluegreen(['-n', 'prod', '--rollback', 'tradeflow', 'trades'], 'green');

    expect(result.status).toBe(0);
    expect(result.stderr).toContain('rollback: trades goes back from green to blue');
    expect(result.calls).toContain(
      'kubectl --namespace prod rollout status deployment.apps/tradeflow-trades-blue --timeout=300s',
    );
    expect(switches(result.calls)).toEqual(['blue']);
  });

  it('when --tag is given, then the tag goes to the idle colour before it is scaled and switched', () => {
    const result = bluegreen(['--tag', '0.2.0', 'tradeflow', 'trades', 'green'], 'blue');

    expect(result.status).toBe(0);
    const tagged = result.calls.findIndex((c) =>
      c.endsWith('--set-string components.trades.blueGreen.green.tag=0.2.0'),
    );
    const scaled = result.calls.findIndex((c) => c.includes(' scale '));
    expect(tagged).toBeGreaterThanOrEqual(0);
    expect(scaled).toBeGreaterThan(tagged);
  });

  it('when the colour already serves, then it does nothing', () => {
    const result = bluegreen(['tradeflow', 'trades', 'blue'], 'blue');

    expect(result.status).toBe(0);
    expect(result.stderr).toContain('already serves blue');
    expect(switches(result.calls)).toEqual([]);
  });

  it('when the component is not blue/green, then it says how to enable it', () => {
    const result = bluegreen(['tradeflow', 'trades', 'green'], '');

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--set components.trades.blueGreen.enabled=true');
  });

  it('when the colour is neither blue nor green, then it refuses it', () => {
    const result = bluegreen(['tradeflow', 'trades', 'red'], 'blue');

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("the colour is blue or green, not 'red'");
  });
});
