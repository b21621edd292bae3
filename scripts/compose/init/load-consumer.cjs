// The `load-key` one-shot of docker compose's load profile: makes sure consumer `load` exists with every
// account (`*`) and scope on the demo plan, through the gateway's admin API (GATEWAY_ADMIN_URL,
// GATEWAY_ADMIN_TOKEN), issues it a fresh API key and writes it to $KEYS_DIR/load-api-key for the k6 container
// (tests/load reads API_KEY). Exit 0 when the key is written, 1 otherwise.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script, run by node as is */
const fs = require('node:fs');
const path = require('node:path');

const CONSUMER = {
  id: 'load',
  name: 'k6 load tests (docker compose)',
  accounts: '*',
  scopes: ['trades:read', 'trades:write', 'reference:read', 'reference:write'],
  plan: 'demo',
};

async function admin(method, route, body) {
  const base = process.env.GATEWAY_ADMIN_URL ?? 'http://127.0.0.1:8090';
  const res = await fetch(`${base}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${process.env.GATEWAY_ADMIN_TOKEN ?? ''}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

async function main() {
  let res = await admin('POST', '/admin/v1/consumers', CONSUMER);
  if (res.status === 409) {
    const { id: _id, ...changes } = CONSUMER;
    res = await admin('PATCH', `/admin/v1/consumers/${CONSUMER.id}`, changes);
  }
  if (res.status !== 200 && res.status !== 201) {
    throw new Error(`consumer ${CONSUMER.id}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
  const issued = await admin('POST', `/admin/v1/consumers/${CONSUMER.id}/keys`);
  if (issued.status !== 201 || typeof issued.body?.key !== 'string') {
    throw new Error(`issuing a key: HTTP ${issued.status} ${JSON.stringify(issued.body)}`);
  }
  const file = path.join(process.env.KEYS_DIR ?? '/run/tradeflow', 'load-api-key');
  fs.writeFileSync(file, `${issued.body.key}\n`, { mode: 0o644 });
  process.stdout.write(
    `[load-key] consumer "${CONSUMER.id}" (every account) has a new key (${issued.body.keyId}) for k6\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`[load-key] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
