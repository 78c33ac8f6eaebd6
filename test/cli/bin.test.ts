// The gatewire bin end to end, as a pipeline runs it: `node bin/gatewire.mjs` (what `npx
// gatewire` starts, the package.json bin) in a process of its own, against a listening Gatewire.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import t from 'tap';
import { routeMapFolder, startListeningGatewire } from '../support/cli.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = new URL('../../bin/gatewire.mjs', import.meta.url).pathname;
const run = promisify(execFile);

async function gatewire(argv: string[], options: { env: Record<string, string>; cwd: string }) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...argv], { env: { PATH: process.env['PATH'] ?? '', ...options.env }, cwd: options.cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

t.test('package.json names the bin', async (t) => {
  const pkg = JSON.parse(await readFile(new URL('package.json', `file://${ROOT}`), 'utf8'));
  t.same(pkg.bin, { gatewire: 'bin/gatewire.mjs' });
});

t.test('plan, apply and a refused apply through the bin: output and exit codes', async (t) => {
  const ctx = await startListeningGatewire(t);
  const files = await routeMapFolder(t);
  await files.write('routes.yaml', 'routes:\n  ping:\n    backend: { type: mock }\n');
  await files.write('bad.yaml', 'routes:\n  ping:\n    backend: { type: mock }\n    timeoutInMillis: 1\n');

  const plan = await gatewire(['plan', 'routes.yaml', '--api', ctx.apiId], { env: ctx.env, cwd: files.dir });
  t.equal(plan.code, 0, plan.stderr);
  t.match(plan.stdout, /^ {2}\+ ping$/m);

  const apply = await gatewire(['apply', 'routes.yaml', '--api', ctx.apiId, '--poll-ms', '100'], { env: ctx.env, cwd: files.dir });
  t.equal(apply.code, 0, apply.stderr);
  t.match(apply.stderr, /^change \w+: 2\/2 steps, succeeded$/m, 'progress lines, not a bar: stderr is not a terminal');
  t.match(apply.stdout, /^Applied to API \w+: 1 created/);
  t.ok(ctx.fake.api(ctx.apiId).route('ping')?.target, 'AWS has the route');

  const refused = await gatewire(['apply', 'bad.yaml', '--api', ctx.apiId], { env: ctx.env, cwd: files.dir });
  t.equal(refused.code, 1);
  t.match(refused.stderr, /\/routes\/ping\/timeoutInMillis: must be >= 50/);

  const noKey = await gatewire(['drift', '--api', ctx.apiId], { env: { GATEWIRE_URL: ctx.env['GATEWIRE_URL']! }, cwd: files.dir });
  t.equal(noKey.code, 2);
  t.match(noKey.stderr, /GATEWIRE_API_KEY is not set/);
});
