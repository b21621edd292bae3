// Preloaded into every Node process of the shape when `BENCH_CPU_PROF=1 make bench` runs
// (NODE_OPTIONS=--require ...; Node 20 refuses --cpu-prof there). In a service's main.js it starts V8's CPU
// profiler at 1 ms sampling, as --cpu-prof does, and writes `CPU.<service>.<pid>.0.001.cpuprofile` into
// BENCH_PROFILE_DIR when the process exits (the services exit through process.exit after SIGTERM). Any other
// Node process (the seed CLI, probes) is left alone.
/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const match = /services\/([^/]+)\/dist\/main\.js$/.exec(process.argv[1] ?? '');
const dir = process.env.BENCH_PROFILE_DIR;
if (match !== null && dir !== undefined && dir !== '') {
  const inspector = require('node:inspector');
  const fs = require('node:fs');
  const path = require('node:path');
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  // A same-thread session answers synchronously, so the profile is written before the process is gone.
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (err === null && result !== undefined)
        fs.writeFileSync(
          path.join(dir, `CPU.${match[1]}.${process.pid}.0.001.cpuprofile`),
          JSON.stringify(result.profile),
        );
    });
  });
}
