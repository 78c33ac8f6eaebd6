// The server bundle the image runs (scripts/build-server.mjs → dist/server/index.mjs): it starts
// without the TypeScript sources, finds what it leaves in node_modules (better-sqlite3, Swagger UI's
// static files), answers an AWS-backed request, and `--if-stale` rebuilds only when it must.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { TEST_API_KEY } from '../support/build-test-app.js';
import { startFakeAws } from '../support/fake-aws/index.js';
import { startServerProcess } from '../support/server-process.js';

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
  const { child, address, exited } = await startServerProcess(t, fake, { GATEWIRE_AUDIT_URL: `sqlite:${join(dataDir, 'audit.db')}` }, [join(outDir, 'index.mjs')]);

  t.equal((await fetch(`${address}/readyz`)).status, 200, '/readyz: better-sqlite3 loaded from node_modules, migrations ran');
  const docs = await fetch(`${address}/docs/static/swagger-ui.css`);
  t.equal(docs.status, 200, "Swagger UI's static files are found next to its module");
  const openapi = (await (await fetch(`${address}/openapi.json`)).json()) as { openapi?: string };
  t.match(openapi.openapi, /^3\./, 'the OpenAPI document is generated from the bundled routes');
  const apis = await fetch(`${address}/v1/apis`, { headers: { 'x-api-key': TEST_API_KEY } });
  t.equal(apis.status, 200, 'an AWS-backed GET answers');
  t.ok(((await apis.json()) as { items: { apiId: string }[] }).items.some((api) => api.apiId === apiId), 'listing the fake API');

  child.kill('SIGTERM');
  t.match(await exited, { code: 0 }, 'SIGTERM: a clean exit');

  // A bundle older than its sources is rebuilt by `npm start`'s --if-stale.
  await utimes(join(outDir, 'index.mjs'), new Date('2001-01-01'), new Date('2001-01-01'));
  const stale = await run(process.execPath, ['scripts/build-server.mjs', '--if-stale', '--out-dir', outDir], { cwd: ROOT });
  t.match(stale.stdout, /^built /, '--if-stale rebuilds a bundle older than a source');
});
