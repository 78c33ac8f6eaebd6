// A half-open connection to PostgreSQL (the peer silent: no answer, no FIN, no RST; a dead host, a
// dropped NAT entry) must not stall a query or an API's lock for ever (issue 16 §6). A TCP proxy
// that blackholes plays the silent peer: the pool's query_timeout and the lock's own bound fail
// the call, the silent connection is dropped, and once the network is back the next call works.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { createPostgresPool } from '../../src/audit/database.js';
import { createPostgresAdvisoryLock } from '../../src/audit/locks.js';
import { TEST_POSTGRES_URL } from '../support/postgres.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const target = new URL(TEST_POSTGRES_URL);
const proxiedUrl = (port: number) => {
  const url = new URL(TEST_POSTGRES_URL);
  url.port = String(port);
  return url.toString();
};

/** How long `work` took to settle, and how. */
async function timed(work: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  try {
    await work;
    return { ms: Date.now() - started, error: undefined };
  } catch (error) {
    return { ms: Date.now() - started, error };
  }
}

t.test('a query on a silent connection fails after query_timeout, and the pool then recovers', async (t) => {
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  t.teardown(() => proxy.close());
  const pool = await createPostgresPool(proxiedUrl(proxy.port), { maxConnections: 1, queryTimeoutMillis: 400 });
  t.teardown(() => pool.end());
  t.same((await pool.query('select 1 as one')).rows, [{ one: 1 }], 'through the proxy');

  proxy.blackhole();
  const stalled = await timed(pool.query('select 2 as two'));
  t.match(stalled.error, { message: 'Query read timeout' }, 'the query fails');
  t.ok(stalled.ms < 2_000, `within the timeout (${stalled.ms} ms)`);

  proxy.restore();
  // The only connection of the pool was the silent one: it was dropped, not handed out again.
  t.same((await pool.query('select 3 as three')).rows, [{ three: 3 }], 'the next query gets a fresh connection');
});

t.test("a silent connection cannot stall an API's lock", async (t) => {
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  t.teardown(() => proxy.close());
  const pool = await createPostgresPool(proxiedUrl(proxy.port), { maxConnections: 2, connectionTimeoutMillis: 1_000 });
  t.teardown(() => pool.end());
  const lock = createPostgresAdvisoryLock(pool, { waitMillis: 300 });
  const apiId = `half-open-${process.pid}-${randomBytes(3).toString('hex')}`;
  t.equal(await lock.withLock(apiId, async () => 'warm'), 'warm');

  proxy.blackhole();
  // lock_timeout (300 ms) is the server's to enforce, and the server is not heard: the client-side
  // bound (the wait + 5 s) ends it. Without it, this call (and every change to the API) hangs.
  const stalled = await timed(lock.withLock(apiId, async () => t.fail('must not run')));
  t.match(stalled.error, { name: 'DomainError', kind: 'audit-unavailable' }, 'a 503, not a hang');
  t.ok(stalled.ms < 8_000, `bounded (${stalled.ms} ms)`);

  proxy.restore();
  t.equal(await lock.withLock(apiId, async () => 'ran'), 'ran', 'the next change to the API takes the lock');
});
