// Issue 16 §5: a PostgreSQL outage never takes the server process down. A TCP proxy sits between
// the server (spawned as a container runs it) and PostgreSQL; 20 times in a row every connection
// through it is destroyed while changes are in flight — one waiting for the API's advisory lock
// (held by the test on a direct connection), one queued behind it in the process, and one in the
// middle of its AWS calls. The process stays up, answers 503 while the store is cut, and the first
// change after each restore succeeds, with no restart.
import pg from 'pg';
import t from 'tap';
import { routeIntegrationUrl, TEST_API_KEY } from '../support/build-test-app.js';
import { startFakeAws } from '../support/fake-aws/index.js';
import { createTestSchema, TEST_POSTGRES_URL } from '../support/postgres.js';
import { startServerProcess, until } from '../support/server-process.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const ROUNDS = Number(process.env["STORE_OUTAGE_ROUNDS"] ?? 20);

t.test('20 store outages in a row: 503 while cut, success after each restore, the process stays up', async (t) => {
  const fake = await startFakeAws();
  t.teardown(() => fake.close());
  const { url } = await createTestSchema(t, 'store_outage');
  const direct = new URL(url);
  const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  t.teardown(() => proxy.close());
  const proxied = new URL(url);
  proxied.port = String(proxy.port);
  const server = await startServerProcess(t, fake, { GATEWIRE_AUDIT_URL: proxied.toString() });

  const locked = fake.seedApi({ name: 'locked' });
  const busy = fake.seedApi({ name: 'busy' });
  // Holds the advisory lock of `locked` (the key Gatewire uses, src/audit/locks.ts) on a connection
  // that does not go through the proxy, so that the server's change waits in pg_advisory_lock.
  const holder = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await holder.connect();
  t.teardown(() => holder.end());
  const lockKey = `hashtext('gatewire:api'), hashtext(${holder.escapeLiteral(locked)})`;
  const waiters = async () =>
    Number(
      (
        await holder.query<{ n: string }>(
          `select count(*) as n from pg_locks where locktype = 'advisory' and not granted and classid = hashtext('gatewire:api')::oid and objid = hashtext($1)::oid`,
          [locked],
        )
      ).rows[0]!.n,
    );

  const put = (apiId: string, routeKey: string) =>
    fetch(`${server.address}${routeIntegrationUrl(apiId, routeKey)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY },
      body: JSON.stringify({ backend: { type: 'mock' }, description: routeKey }),
    }).then(async (response) => ({ status: response.status, body: await response.text() }));
  const answered: Promise<{ status: number; body: string }>[] = [];

  for (let round = 1; round <= ROUNDS; round++) {
    await holder.query(`select pg_advisory_lock(${lockKey})`);
    const waiting = put(locked, `wait-a-${round}`);
    const queued = put(locked, `wait-b-${round}`);
    for (let tries = 0; (await waiters()) === 0; tries++) {
      if (tries > 250) throw new Error('the change never waited for the advisory lock');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // A change in the middle of its AWS calls: its CreateIntegration answers only after the cut.
    fake.inject({ operation: 'CreateIntegration', fault: 'latency', latencyMs: 300, nth: 1 });
    const callsBefore = fake.calls.length;
    answered.push(put(busy, `busy-${round}`));
    await until(() => fake.calls.slice(callsBefore).some((call) => call.operation === 'CreateIntegration'), 10_000, 'CreateIntegration in flight');

    proxy.cut();
    const [waited, behind] = await Promise.all([waiting, queued]);
    t.equal(waited.status, 503, `round ${round}: the change waiting for the lock is refused with 503 (${waited.body.slice(0, 160)})`);
    t.equal(behind.status, 503, `round ${round}: the change queued behind it is refused with 503 (${behind.body.slice(0, 160)})`);
    const whileCut = await put(locked, `cut-${round}`);
    t.equal(whileCut.status, 503, `round ${round}: a change while the store is cut is a 503`);
    const ready = await fetch(`${server.address}/readyz`);
    t.equal(ready.status, 503, `round ${round}: not ready while the store is cut`);
    t.equal(server.child.exitCode, null, `round ${round}: the process is still up`);

    await holder.query(`select pg_advisory_unlock(${lockKey})`);
    proxy.restore();
    const next = await put(locked, `after-${round}`);
    t.equal(next.status, 200, `round ${round}: the next change after the restore succeeds (${next.body.slice(0, 200)})`);
  }

  // Every change in the middle of its AWS calls got an answer (whatever it was), none a reset socket.
  const outcomes = await Promise.allSettled(answered);
  t.same(
    outcomes.filter((outcome) => outcome.status === 'rejected'),
    [],
    'every change in flight at a cut was answered',
  );
  t.equal(server.child.exitCode, null, 'the process is still up after 20 outages');
  t.notOk(
    server.logs.some((entry) => entry['msg'] === 'closing after an error'),
    'close-with-grace never saw an error',
  );
  // /readyz reuses an answer for a second: the last one may still be the outage's.
  let ready = false;
  for (const deadline = Date.now() + 5_000; !ready && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
    ready = (await fetch(`${server.address}/readyz`)).ok;
  }
  t.ok(ready, 'ready again');
});
