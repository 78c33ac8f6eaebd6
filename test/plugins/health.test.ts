// /healthz (the process answers) and /readyz (the audit store answers and its tables exist).
import t from 'tap';
import { createAuditDatabase } from '../../src/audit/database.js';
import { createInProcessLock } from '../../src/audit/locks.js';
import { migrateToLatest } from '../../src/audit/migrate.js';
import { createKyselyAuditStore } from '../../src/audit/store.js';
import { READINESS_CACHE_MS } from '../../src/plugins/health.js';
import { buildTestApp } from '../support/build-test-app.js';

t.test('/healthz answers while the audit store is down; /readyz does not', async (t) => {
  const { app, auditStore } = await buildTestApp(t, { readinessCacheMs: 0 });
  t.same((await app.inject('/healthz')).json(), { status: 'ok' });
  t.same((await app.inject('/readyz')).json(), { status: 'ready' });

  auditStore.setUnavailable(true);
  const healthz = await app.inject('/healthz');
  t.equal(healthz.statusCode, 200, 'liveness does not depend on the store (a restart would not help)');
  const readyz = await app.inject('/readyz');
  t.equal(readyz.statusCode, 503);
  t.match(readyz.headers['content-type'], /^application\/problem\+json/);
  t.match(readyz.json(), { type: 'https://gatewire.dev/problems/audit-unavailable', status: 503 });
});

t.test('/readyz is 503 while the migrations have not been applied, 200 once they are', async (t) => {
  const handle = await createAuditDatabase('sqlite::memory:');
  const store = createKyselyAuditStore(handle.db);
  const { app } = await buildTestApp(t, { readinessCacheMs: 0, audit: { store, lock: createInProcessLock(), close: () => store.close() } });

  const before = await app.inject('/readyz');
  t.equal(before.statusCode, 503, 'the database answers, but the audit table does not exist');
  t.match(before.json(), { status: 503, detail: /migrations not applied/ });

  await migrateToLatest(handle.db, handle.dialect);
  const after = await app.inject('/readyz');
  t.equal(after.statusCode, 200);
  t.same(after.json(), { status: 'ready' });
});

t.test('/readyz reuses one answer for a second: a flood of probes costs the store one check', async (t) => {
  const { app, auditStore } = await buildTestApp(t);
  let pings = 0;
  const ping = auditStore.ping.bind(auditStore);
  auditStore.ping = async () => {
    pings += 1;
    return ping();
  };
  const answers = await Promise.all(Array.from({ length: 50 }, () => app.inject('/readyz')));
  t.same(new Set(answers.map((answer) => answer.statusCode)), new Set([200]));
  const more = await app.inject('/readyz');
  t.equal(more.statusCode, 200);
  t.equal(pings, 1, '51 probes within the second, one ping of the store');

  // A failure is reused for as long, then the store is asked again.
  await new Promise((resolve) => setTimeout(resolve, READINESS_CACHE_MS + 50));
  auditStore.setUnavailable(true);
  t.equal((await app.inject('/readyz')).statusCode, 503);
  auditStore.setUnavailable(false);
  t.equal((await app.inject('/readyz')).statusCode, 503, 'the failure is reused within the second');
  await new Promise((resolve) => setTimeout(resolve, READINESS_CACHE_MS + 50));
  t.equal((await app.inject('/readyz')).statusCode, 200, 'asked again after it');
  t.equal(pings, 3);
});
