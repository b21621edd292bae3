// Preloaded (`node -r`) into every service the e2e suite spawns: the service shuts down (SIGTERM, its
// orderly path) when its standard input closes, which happens when the Jest worker that owns the pipe dies
// for any reason. So a crashed or killed test run leaves no service processes behind.
'use strict';
const stop = () => process.kill(process.pid, 'SIGTERM');
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
