// Jest global setup of the `integration` project: makes sure Kafka and DynamoDB Local answer, and tells the
// workers where. An address given in KAFKA_BROKERS / DYNAMODB_ENDPOINT is used as is; otherwise whatever
// answers at the default address is reused, and only what does not answer is started (scripts/infra).
// global-teardown.ts stops only what this started, once no other Jest run still uses it.
import { answers } from '../../scripts/infra/probe';
import {
  runInfraScript,
  SERVICES,
  startedByTests,
  takeLease,
  withInfraLock,
  writeStartedByTests,
} from './infra-state';

/** Resolves once every service answers; sets process.env.KAFKA_BROKERS and DYNAMODB_ENDPOINT for workers. */
export default async function globalSetup(): Promise<void> {
  const summary: string[] = [];
  // The AWS SDK warns once per process that Node 20 support ends in 2027 (known, see INFRA-NOTES); the probe
  // would print it here, in Jest's main process, before any test output. Workers keep their own setting.
  const warningSetting = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  try {
    await startOrReuse(summary);
  } finally {
    if (warningSetting === undefined) delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    else process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = warningSetting;
  }
  process.stderr.write(`\n[infra] ${summary.join('; ')}\n`);
}

async function startOrReuse(summary: string[]): Promise<void> {
  await withInfraLock(async () => {
    takeLease();
    const started = startedByTests();
    // Both at once: two JVMs starting in parallel finish sooner than one after the other. All settle before
    // a failure is thrown, so whatever did start is recorded and the teardown of a later run stops it.
    const results = await Promise.allSettled(
      SERVICES.map(async (service) => {
        const given = process.env[service.envVar];
        if (given) return `using ${service.label} at ${given} (from ${service.envVar})`;
        const address = service.defaultAddress;
        let line = `reusing ${service.label} at ${address}`;
        if (!(await answers(service.name, address))) {
          const t0 = Date.now();
          await runInfraScript(service.name, 'up');
          started.add(service.name);
          writeStartedByTests(started);
          line = `started ${service.label} at ${address} (${((Date.now() - t0) / 1000).toFixed(1)}s)`;
        }
        process.env[service.envVar] = address;
        return line;
      }),
    );
    for (const result of results) {
      if (result.status === 'rejected') throw result.reason;
      summary.push(result.value);
    }
  });
}
