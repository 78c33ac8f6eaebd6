// src/server.ts as the container runs it: a child process on port 0 against the fake AWS and a
// SQLite audit file. SIGTERM during a change (held open by the fake's latency) lets the change
// finish, answer 200 and finalise its audit record before the process exits; a record left
// pending by an earlier crash is marked interrupted at start.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { createAuditDatabase } from '../../src/audit/database.js';
import { migrateToLatest } from '../../src/audit/migrate.js';
import { createKyselyAuditStore } from '../../src/audit/store.js';
import { loadConfig } from '../../src/config.js';
import type { AuditStore } from '../../src/services/ports.js';
import { startFakeAws } from '../support/fake-aws/index.js';
import { pendingRecord } from '../support/pending-record.js';

const ROOT = new URL('../..', import.meta.url);

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
async function dockerfile(): Promise<{ instruction: string; args: string }[]> {
  const text = await readFile(new URL('Dockerfile', ROOT), 'utf8');
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [instruction = '', ...rest] = line.split(/\s+/);
      return { instruction: instruction.toUpperCase(), args: rest.join(' ') };
    });
}

/** The exec-form command of the Dockerfile's HEALTHCHECK. */
async function healthcheckCommand(): Promise<string[]> {
  const healthcheck = (await dockerfile()).find((line) => line.instruction === 'HEALTHCHECK');
  const json = /CMD (\[.*\])$/.exec(healthcheck?.args ?? '')?.[1];
  return JSON.parse(json ?? '[]') as string[];
}

async function openStore(file: string): Promise<AuditStore> {
  const handle = await createAuditDatabase(`sqlite:${file}`);
  await migrateToLatest(handle.db, handle.dialect);
  return createKyselyAuditStore(handle.db);
}

t.test('SIGTERM during a change: the change completes, its record is final, then the process exits', async (t) => {
  const fake = await startFakeAws();
  t.teardown(() => fake.close());
  const dir = await mkdtemp(join(tmpdir(), 'gatewire-server-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'audit.db');

  // Left by an earlier process: one crashed mid-change an hour ago, one is still running elsewhere.
  const seed = await openStore(file);
  const crashed = pendingRecord(new Date(Date.now() - 60 * 60_000));
  const recent = pendingRecord(new Date(Date.now() - 1_000));
  await seed.appendPending(crashed);
  await seed.appendPending(recent);
  await seed.close();

  const apiId = fake.seedApi({ name: 'chat' });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      PORT: '0',
      HOST: '127.0.0.1',
      AWS_REGION: fake.region,
      AWS_ENDPOINT_URL: fake.url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      GATEWIRE_ACCOUNT_ID: fake.accountId,
      GATEWIRE_AWS_MAX_ATTEMPTS: '1',
      GATEWIRE_AUDIT_URL: `sqlite:${file}`,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const logs: { msg?: string; [key: string]: unknown }[] = [];
  // No credentials configured: the first-run admin key is printed once on stdout (plain text).
  let firstRunKey: string | undefined;
  const address = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        firstRunKey ??= /^\s+(gw_[A-Za-z0-9_-]{43})$/.exec(line)?.[1];
        try {
          logs.push(JSON.parse(line));
        } catch {
          continue;
        }
        const match = /^Server listening at (http:\/\/\S+)$/.exec(logs.at(-1)?.msg ?? '');
        if (match?.[1]) resolve(match[1]);
      }
    });
    void exited.then(({ code }) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
  t.match(address, /^http:\/\/127\.0\.0\.1:\d+$/, 'listens on the port the OS chose');
  t.ok(firstRunKey, 'printed a first-run admin key');
  t.notOk(logs.some((line) => JSON.stringify(line).includes(firstRunKey!)), 'the key is in no log line');
  // The sweep at start takes over what the crashed process left (a record from before leases, so
  // only once older than any old version's change could run).
  const deadline = Date.now() + 10_000;
  while (!logs.some((line) => line['changeId'] === crashed.id) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  t.ok(
    logs.some((line) => line['changeId'] === crashed.id && line.msg === 'change taken over and undone'),
    'logs that it took the crashed change over',
  );

  // The image's HEALTHCHECK command, as Docker would run it inside the container.
  const [command, ...args] = await healthcheckCommand();
  const port = new URL(address).port;
  const healthy = await new Promise<number | null>((resolve) =>
    execFile(command === 'node' ? process.execPath : command!, args, { env: { PORT: port } }, (error) =>
      resolve(error ? ((error as { code?: number }).code ?? 1) : 0),
    ),
  );
  t.equal(healthy, 0, "the Dockerfile's HEALTHCHECK command passes against the running server");

  // Hold the change open in CreateIntegration, then SIGTERM while it is in flight.
  fake.inject({ operation: 'CreateIntegration', fault: 'latency', latencyMs: 1500 });
  const started = Date.now();
  const response = fetch(`${address}/v1/apis/${apiId}/routes/sendmessage/integration`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-api-key': firstRunKey! },
    body: JSON.stringify({ backend: { type: 'mock' } }),
  });
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (fake.calls.some((call) => call.operation === 'CreateIntegration')) {
        clearInterval(poll);
        resolve();
      }
    }, 10);
  });
  t.ok(child.kill('SIGTERM'), 'SIGTERM sent while CreateIntegration is in flight');

  const answer = await response;
  const body = (await answer.json()) as { outcome?: string; auditId?: string; auditComplete?: boolean };
  t.equal(answer.status, 200, JSON.stringify(body));
  t.match(body, { outcome: 'applied', auditComplete: true });
  t.ok(Date.now() - started >= 1_400, 'the response waited for the slow AWS call');

  const { code, signal } = await exited;
  t.equal(code, 0, `exits cleanly after closing: ${stderr}`);
  t.equal(signal, null);
  t.ok(
    logs.some((line) => line.msg === 'closing' && line['signal'] === 'SIGTERM'),
    'logs the graceful close',
  );
  t.ok(fake.api(apiId).route('sendmessage')?.target, 'the route is bound in API Gateway');

  const store = await openStore(file);
  t.teardown(() => store.close());
  t.match(await store.get(body.auditId!), { status: 'succeeded', apiId, routeKey: 'sendmessage' }, 'the final record is in the SQLite file');
  t.match(
    await store.get(crashed.id),
    { status: 'interrupted', leftovers: [/^unknown: this change was recorded before Gatewire journaled its steps/] },
    'a record pending for an hour (from before the journal) was taken over and marked interrupted at start',
  );
  t.match(await store.get(recent.id), { status: 'pending' }, 'a recent pending record (another instance may be running it) was left alone');
});

// No Docker engine runs here: these check what can be read from the files. The compose file was
// also validated against the compose-spec JSON schema by hand (see the README's deployment notes).
t.test('Dockerfile: multi-stage Node 24, production dependencies, non-root, HEALTHCHECK, exec-form CMD', async (t) => {
  const lines = await dockerfile();
  const from = lines.filter((line) => line.instruction === 'FROM');
  const image = lines.find((line) => line.instruction === 'ARG' && line.args.startsWith('NODE_IMAGE='))?.args.split('=')[1];
  t.match(image, /^node:24-bookworm-slim$/);
  t.ok(from.length >= 2, 'multi-stage');
  t.ok(from.every((line) => line.args.startsWith('${NODE_IMAGE}')), 'every stage on the same Node image');
  const runs = lines.filter((line) => line.instruction === 'RUN').map((line) => line.args);
  t.ok(runs.some((run) => /npm ci\b/.test(run)), 'npm ci');
  t.ok(runs.some((run) => /npm prune --omit=dev/.test(run)), 'then prunes to production dependencies');
  const lastFrom = lines.lastIndexOf(from.at(-1)!);
  const runtime = lines.slice(lastFrom);
  t.notOk(runtime.some((line) => line.instruction === 'RUN' && /npm (ci|install)/.test(line.args)), 'the runtime stage installs nothing');
  const user = runtime.filter((line) => line.instruction === 'USER').at(-1);
  t.ok(user && !/^(root|0)(:|$)/.test(user.args), `runs as a non-root user (${user?.args})`);
  t.ok(runtime.some((line) => line.instruction === 'ENV' && /\bHOST=0\.0\.0\.0\b/.test(line.args)), 'listens on every interface');
  t.match((await healthcheckCommand()).join(' '), /\/healthz/, 'HEALTHCHECK probes /healthz');
  const cmd = runtime.find((line) => line.instruction === 'CMD');
  t.same(JSON.parse(cmd?.args ?? 'null'), ['node', 'dist/server/index.mjs'], 'exec form: SIGTERM reaches node, which runs the bundle');

  const ignore = (await readFile(new URL('.dockerignore', ROOT), 'utf8')).split('\n').filter((line) => line.startsWith('!'));
  for (const copy of lines.filter((line) => line.instruction === 'COPY' && !line.args.startsWith('--from'))) {
    for (const source of copy.args.split(/\s+/).slice(0, -1)) {
      t.ok(ignore.some((line) => line.slice(1).replace(/\/$/, '') === source.replace(/\/$/, '')), `${source} is in the build context`);
      t.ok(existsSync(new URL(source, ROOT)), `${source} exists`);
    }
  }
});

t.test('docker-compose.yml: Gatewire + PostgreSQL + moto, wired and health-checked', async (t) => {
  const compose = parseYaml(await readFile(new URL('docker-compose.yml', ROOT), 'utf8')) as {
    services: Record<string, { image?: string; build?: unknown; environment?: Record<string, string>; healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }>; volumes?: string[] }>;
  };
  const { gatewire, postgres, moto, 'moto-seed': seed } = compose.services;
  t.ok(gatewire?.build, 'gatewire is built from the Dockerfile');
  t.match(postgres?.image, /^postgres:16\b/);
  t.match(moto?.image, /^motoserver\/moto\b/);
  const env = gatewire?.environment ?? {};
  t.equal(env['AWS_ENDPOINT_URL'], 'http://moto:5000');
  t.ok(env['AWS_ACCESS_KEY_ID'] && env['AWS_SECRET_ACCESS_KEY'], 'dummy credentials for the SDK');
  const audit = new URL(env['GATEWIRE_AUDIT_URL'] ?? '');
  t.equal(audit.protocol, 'postgres:');
  t.equal(audit.hostname, 'postgres', 'the audit URL names the postgres service');
  t.equal(decodeURIComponent(audit.username), postgres?.environment?.['POSTGRES_USER']);
  t.equal(decodeURIComponent(audit.password), postgres?.environment?.['POSTGRES_PASSWORD']);
  t.equal(audit.pathname, `/${postgres?.environment?.['POSTGRES_DB']}`);
  t.doesNotThrow(() => loadConfig(env), "gatewire's environment passes Gatewire's own config validation");
  // HOST 0.0.0.0 needs configured credentials, or the server refuses to start.
  t.equal(env['HOST'], '0.0.0.0');
  t.ok(loadConfig(env).auth.apiKeys.length > 0, 'an API key is configured (hashed)');
  t.same(gatewire?.depends_on, {
    postgres: { condition: 'service_healthy' },
    moto: { condition: 'service_healthy' },
    'moto-seed': { condition: 'service_completed_successfully' },
  });
  t.ok(postgres?.healthcheck?.test.join(' ').includes('pg_isready'), 'postgres has a healthcheck');
  t.ok(moto?.healthcheck?.test.join(' ').includes('5000'), 'moto has a healthcheck');
  const mounted = seed?.volumes?.[0]?.split(':')[0] ?? '';
  t.ok(existsSync(new URL(mounted, ROOT)), `the seed script ${mounted} exists`);
});
