// gatewire apply against a Gatewire on the fake: the change is followed through GET
// /v1/changes/{id} (the CLI asks `Prefer: respond-async`), with one progress line per update
// outside a terminal, and the exit code says how it ended.
import t from 'tap';
import { CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { apiGatewayClientFor } from '../support/fake-aws/sdk-clients.js';
import { routeMapFolder, runGatewire, startListeningGatewire } from '../support/cli.js';

const mock = { backend: { type: 'mock' } };
const PROGRESS_LINE = /^change (\w+): (\d+)\/(\d+) steps, (.+)$/;

t.test('a change paced over seconds: rising progress lines, the result, exit 0', async (t) => {
  // Gatewire paces its AWS calls at 4 a second: 6 routes are 12 steps, about 3 s.
  const ctx = await startListeningGatewire(t, { env: { GATEWIRE_APIGATEWAY_RATE: '4', GATEWIRE_APIGATEWAY_BURST: '1' } });
  const files = await routeMapFolder(t);
  const routes = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`route${i}`, mock]));
  await files.write('routes.json', { routes });

  const run = await runGatewire(['apply', 'routes.json', '--api', ctx.apiId, '--poll-ms', '100'], { env: ctx.env, cwd: files.dir });
  t.equal(run.code, 0, run.stderr);
  const lines = run.stderr.trimEnd().split('\n');
  const progress = lines.map((line) => PROGRESS_LINE.exec(line));
  t.ok(progress.every(Boolean), `every stderr line is a progress line:\n${run.stderr}`);
  const done = progress.map((match) => Number(match![2]));
  t.ok(done.length >= 3, `one line per update (${done.length})`);
  t.ok(done.every((value, i) => i === 0 || value >= done[i - 1]!), `progress only rises: ${done.join(', ')}`);
  t.equal(new Set(lines.map((line) => line.replace(/, about \d+ s left$/, ''))).size, lines.length, 'a line only when the step count or the status moved');
  t.same(progress.at(-1)!.slice(2), ['12', '12', 'succeeded'], 'the last line: every step, succeeded');
  t.match(progress[0]![4], /^pending/, 'the first while it runs');
  t.match(run.stdout, new RegExp(`^Applied to API ${ctx.apiId}: 6 created \\(12 AWS calls\\)\\.\\nAudit record: ${progress[0]![1]}\\n$`));
  t.equal(ctx.fake.api(ctx.apiId).routes.length, 6, 'AWS has the routes');
});

t.test('a change AWS fails part-way: rolled back, the problem printed, exit 1', async (t) => {
  const ctx = await startListeningGatewire(t);
  const files = await routeMapFolder(t);
  await files.write('routes.json', { routes: { a: mock, b: mock, c: mock } });
  // The second create, and its one resend after it was looked up and not found, fail.
  ctx.fake.inject({ operation: 'CreateIntegration', nth: 2, times: 2, fault: 'server-error' });

  const run = await runGatewire(['apply', 'routes.json', '--api', ctx.apiId, '--poll-ms', '100'], { env: ctx.env, cwd: files.dir });
  t.equal(run.code, 1);
  t.equal(run.stdout, '', 'no result on stdout');
  t.match(run.stderr, /: \d+\/\d+ steps, rolled_back\n/, 'the progress ends rolled back');
  t.match(run.stderr, /^Error: 502 /m, "the problem's status and title");
  t.match(run.stderr, /^ {2}failed step: b: Create a MOCK integration/m, 'the step that failed, naming the route');
  t.match(run.stderr, /^ {2}audit record: \w+$/m);
  t.equal(ctx.fake.api(ctx.apiId).routes.length, 0, 'AWS is back where it was');
});

t.test('a change the service rejects before running it: every field error printed, exit 1, nothing written', async (t) => {
  const ctx = await startListeningGatewire(t);
  ctx.fake.seedFunction({ name: 'chat' });
  const files = await routeMapFolder(t);
  await files.write('routes.yml', 'routes:\n  a: { backend: { type: lambda, function: chat } }\n  b: { backend: { type: lambda, function: missing-fn } }\n');
  const run = await runGatewire(['apply', 'routes.yml', '--api', ctx.apiId], { env: ctx.env, cwd: files.dir });
  t.equal(run.code, 1);
  t.match(run.stderr, /^Error: 400 .*\n {2}\/routes\/b\/backend\/function: .+$/m);
  t.same(ctx.fake.writes(), [], 'no AWS write');
});

t.test('--stage deploys after the change, and a second apply changes nothing', async (t) => {
  const ctx = await startListeningGatewire(t, { env: { GATEWIRE_DEPLOYMENT_INTERVAL_MS: '0' } });
  const client = apiGatewayClientFor(ctx.fake);
  await client.send(new CreateStageCommand({ ApiId: ctx.apiId, StageName: 'prod' }));
  client.destroy();
  const files = await routeMapFolder(t);
  await files.write('routes.json', { routes: { ping: mock } });

  const first = await runGatewire(['apply', 'routes.json', '--api', ctx.apiId, '--stage', 'prod', '--poll-ms', '100'], { env: ctx.env, cwd: files.dir });
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, /^Deployed on stage prod \(deployment \w+\)\.$/m);
  const again = await runGatewire(['apply', 'routes.json', '--api', ctx.apiId, '--stage', 'prod'], { env: ctx.env, cwd: files.dir });
  t.equal(again.code, 0);
  t.equal(again.stderr, '', 'nothing to follow');
  t.match(again.stdout, /^No changes: API \w+ already matches the route map \(1 unchanged\)\.\nNothing to deploy on stage prod\.\n$/);
});
