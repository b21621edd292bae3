// Jest global teardown of the `integration` project (Jest runs it after failed tests too): stops what a
// test setup started, unless another Jest run still holds a lease or a person has claimed it since
// (by running scripts/infra up/down, which drops it from the started-by-tests record).
import {
  releaseLease,
  runInfraScript,
  SERVICES,
  startedByTests,
  withInfraLock,
  writeStartedByTests,
} from './infra-state';

/** Stops the services the tests started, once this is the last Jest run using them. */
export default async function globalTeardown(): Promise<void> {
  const line = await withInfraLock(async () => {
    const others = releaseLease();
    const started = startedByTests();
    const ours = SERVICES.filter((s) => started.has(s.name));
    if (ours.length === 0)
      return 'nothing to stop (services were started outside the tests or given by address)';
    if (others.length > 0)
      return `leaving ${ours.map((s) => s.label).join(', ')} running for Jest pid ${others.join(', ')}`;
    const failures: string[] = [];
    for (const service of ours) {
      try {
        await runInfraScript(service.name, 'down');
        started.delete(service.name);
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
      }
    }
    writeStartedByTests(started);
    if (failures.length > 0) throw new Error(failures.join('; '));
    return `stopped ${ours.map((s) => s.label).join(', ')} (started by the test setup)`;
  });
  process.stderr.write(`[infra] ${line}\n`);
}
