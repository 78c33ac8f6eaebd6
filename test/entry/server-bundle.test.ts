// The server bundle the image runs (scripts/build-server.mjs → dist/server/index.mjs): it starts
// without the TypeScript sources, finds what it leaves in node_modules (better-sqlite3, Swagger UI's
// static files), answers an AWS-backed request, and `--if-stale` rebuilds only when it must.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { startFakeAws } from '../support/fake-aws/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

t.test('the bundled server starts on SQLite, serves its docs and an AWS-backed GET, and stops on SIGTERM', async (t) => {
  // Inside the checkout, as dist/server is: the bundle resolves its external modules from node_modules.
  const outDir = join(ROOT, 'dist', `server-test-${process.pid}`);
  t.teardown(() => rm(outDir, { recursive: true, force: true }));
  const built = await run(process.execPath, ['scripts/build-server.mjs', '--out-dir', outDir], { cwd: ROOT });
  t.match(built.stdout, /^built dist\/server-test-\d+\/index\.mjs/, 'built');

  const again = await run(process.execPath, ['scripts/build-server.mjs', '--if-stale', '--out-dir', outDir], { cwd: ROOT });
  t.equal(again.stdout, '', '--if-stale leaves a bundle newer than its sources alone');

  const fake = await startFakeAws();
  t.teardown(() => fake.close());
  const apiId = fake.seedApi({ name: 'chat' });
  const dataDir = await mkdtemp(join(tmpdir(), 'gatewire-bundle-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [join(outDir, 'index.mjs')], {
    cwd: dataDir,
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
      GATEWIRE_AUDIT_URL: `sqlite:${join(dataDir, 'audit.db')}`,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let key: string | undefined;
  const address = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        key ??= /^\s+(gw_[A-Za-z0-9_-]{43})$/.exec(line)?.[1];
        const listening = /"msg":"Server listening at (http:\/\/[^"]+)"/.exec(line)?.[1];
        if (listening) resolve(listening);
      }
    });
    void exited.then((code) => reject(new Error(`the bundle exited (${code}) before listening: ${stderr}`)));
  });

  t.equal((await fetch(`${address}/readyz`)).status, 200, '/readyz: better-sqlite3 loaded from node_modules, migrations ran');
  const docs = await fetch(`${address}/docs/static/swagger-ui.css`);
  t.equal(docs.status, 200, "Swagger UI's static files are found next to its module");
  const openapi = (await (await fetch(`${address}/openapi.json`)).json()) as { openapi?: string };
  t.match(openapi.openapi, /^3\./, 'the OpenAPI document is generated from the bundled routes');
  const apis = await fetch(`${address}/v1/apis`, { headers: { 'x-api-key': key! } });
  t.equal(apis.status, 200, 'an AWS-backed GET answers');
  t.ok(((await apis.json()) as { items: { apiId: string }[] }).items.some((api) => api.apiId === apiId), 'listing the fake API');

  child.kill('SIGTERM');
  t.equal(await exited, 0, 'SIGTERM: a clean exit');

  // A bundle older than its sources is rebuilt by `npm start`'s --if-stale.
  await utimes(join(outDir, 'index.mjs'), new Date('2001-01-01'), new Date('2001-01-01'));
  const stale = await run(process.execPath, ['scripts/build-server.mjs', '--if-stale', '--out-dir', outDir], { cwd: ROOT });
  t.match(stale.stdout, /^built /, '--if-stale rebuilds a bundle older than a source');
});
