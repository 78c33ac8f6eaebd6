// /healthz (the process answers) and /readyz (the audit store answers and its tables exist).
import { Agent, request } from 'node:http';
import { Writable } from 'node:stream';
import t from 'tap';
import { createAuditDatabase } from '../../src/audit/database.js';
import { createInProcessLock } from '../../src/audit/locks.js';
import { migrateToLatest } from '../../src/audit/migrate.js';
import { createKyselyAuditStore } from '../../src/audit/store.js';
import { READINESS_CACHE_MS } from '../../src/plugins/health.js';
import type { FastifyInstance } from 'fastify';
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

/** Log lines the app writes, parsed. */
function captureLogs(): { stream: Writable; lines: { msg?: string; url?: string; req?: { url?: string } }[] } {
  const lines: { msg?: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as { msg?: string });
      done();
    },
  });
  return { stream, lines };
}

/** The request-latency samples /metrics holds for a route. */
async function samplesFor(app: FastifyInstance, route: string): Promise<string[]> {
  const metrics = (await app.inject('/metrics')).body;
  return metrics.split('\n').filter((line) => line.startsWith('http_request_duration_seconds_count') && line.includes(`route="${route}"`));
}

for (const way of ['inject', 'listening'] as const) {
  t.test(`probes (${way}) need no credential and write no request log, no request metrics and no rate-limit count`, async (t) => {
    const logs = captureLogs();
    const { app } = await buildTestApp(t, {
      credential: false,
      logger: { level: 'info', stream: logs.stream },
      env: { GATEWIRE_RATE_LIMIT_MAX: '3' },
    });
    let probe: (path: string) => Promise<{ status: number; type: string | undefined; body: string }>;
    if (way === 'inject') {
      probe = async (path) => {
        const response = await app.inject(path);
        return { status: response.statusCode, type: response.headers['content-type'] as string | undefined, body: response.body };
      };
    } else {
      const address = await app.listen({ port: 0, host: '127.0.0.1' });
      probe = async (path) => {
        const response = await fetch(`${address}${path}`);
        return { status: response.status, type: response.headers.get('content-type') ?? undefined, body: await response.text() };
      };
    }
    for (let i = 0; i < 10; i++) {
      t.same(await probe('/healthz'), { status: 200, type: 'application/json; charset=utf-8', body: '{"status":"ok"}' });
      t.same(await probe('/readyz'), { status: 200, type: 'application/json; charset=utf-8', body: '{"status":"ready"}' });
    }
    // Twenty probes from this address under a limit of 3: the address still has its whole allowance.
    const limited = [];
    for (let i = 0; i < 4; i++) limited.push(await app.inject({ method: 'GET', url: '/v1/apis' }));
    t.same(
      limited.map((response) => response.statusCode),
      [401, 401, 401, 429],
      'the first three unauthenticated /v1 calls count against the limit, the fourth is over it',
    );

    const probeLines = logs.lines.filter((line) => /\/(healthz|readyz)/.test(JSON.stringify(line)));
    t.same(probeLines, [], 'no log line names a probe');
    t.same(await samplesFor(app, '/healthz'), [], 'no latency samples for /healthz');
    t.same(await samplesFor(app, '/readyz'), [], 'no latency samples for /readyz');
    // The checks above would see a request that is logged or timed: prove that they do.
    t.ok(logs.lines.some((line) => line.req?.url === '/v1/apis'), 'a /v1 request is logged');
    t.not((await samplesFor(app, '/v1/apis')).length, 0, 'a /v1 request is timed');
  });
}

t.test('a closing server answers /healthz through Fastify: 503 with Connection: close', async (t) => {
  const { app } = await buildTestApp(t);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  // Holds the close before the server stops listening, while a probe comes in on an open connection.
  app.addHook('preClose', async () => held);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  // One kept-alive connection, as an orchestrator's probes may use.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const get = () =>
    new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      request(`${address}/healthz`, { agent }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }));
      })
        .on('error', reject)
        .end();
    });
  t.same(await get(), { status: 200, connection: 'keep-alive' });
  const closed = app.close();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const during = await get();
  release();
  await closed;
  t.same(during, { status: 503, connection: 'close' }, 'as Fastify answers any request once closing');
});
