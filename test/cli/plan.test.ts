// gatewire plan: the dry run of a route map as a diff, against a Gatewire on the fake. The diff
// of a map that adds, changes and removes routes (with the permission changes and the deployment
// they bring) is a snapshot: regenerate with `npx tap --snapshot test/cli/plan.test.ts` and
// review the diff of tap-snapshots/ like code.
import t from 'tap';
import { CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { apiGatewayClientFor } from '../support/fake-aws/sdk-clients.js';
import { routeMapFolder, runGatewire, startListeningGatewire, type ListeningGatewire } from '../support/cli.js';

const lambda = (fn: string, extra: object = {}) => ({ backend: { type: 'lambda', function: fn }, ...extra });
const mock = { backend: { type: 'mock' } };
const http = { backend: { type: 'http', url: 'https://a.example.com/x', method: 'POST' } };

/** Ids the fake made up at random, replaced by names that say what they are, so the snapshot is stable. */
function stableIds(ctx: ListeningGatewire, text: string): string {
  const view = ctx.fake.api(ctx.apiId);
  let stable = text.replaceAll(ctx.apiId, '<api>');
  for (const integration of view.integrations) {
    const routeKeys = view.routes.filter((route) => route.target === `integrations/${integration.integrationId}`).map((route) => route.routeKey);
    stable = stable.replaceAll(integration.integrationId, `<integration of ${routeKeys.join('+') || 'no route'}>`);
  }
  return stable;
}

t.test('a map that adds, changes and removes routes: the diff, with permissions and the deployment', async (t) => {
  const ctx = await startListeningGatewire(t);
  ctx.fake.seedFunction({ name: 'chat' });
  ctx.fake.seedFunction({ name: 'old-fn' });
  const client = apiGatewayClientFor(ctx.fake);
  await client.send(new CreateStageCommand({ ApiId: ctx.apiId, StageName: 'prod' }));
  client.destroy();
  const files = await routeMapFolder(t);
  await files.write('before.json', { routes: { old: lambda('old-fn'), gone: http, same: mock } });
  const setUp = await runGatewire(['apply', 'before.json', '--api', ctx.apiId], { env: ctx.env, cwd: files.dir });
  t.equal(setUp.code, 0, setUp.stderr);

  // YAML, as a platform team would keep it in its repository.
  await files.write(
    'routes.yaml',
    [
      'routes:',
      '  old:            # changes function and timeout',
      '    backend: { type: lambda, function: chat }',
      '    timeoutInMillis: 5000',
      '  gone: null      # removed',
      '  same:           # unchanged',
      '    backend: { type: mock }',
      '  fresh:          # added, two-way',
      '    backend: { type: lambda, function: chat }',
      '    returnResponse: true',
      '',
    ].join('\n'),
  );
  ctx.fake.resetCalls();
  const plan = await runGatewire(['plan', 'routes.yaml', '--api', ctx.apiId, '--stage', 'prod'], { env: ctx.env, cwd: files.dir });
  t.equal(plan.code, 0, plan.stderr);
  t.equal(plan.stderr, '', 'nothing on stderr');
  t.same(ctx.fake.writes(), [], 'a plan changes nothing');
  t.match(plan.stdout, /^ {2}\+ fresh$/m, 'the added route');
  t.match(plan.stdout, /^ +timeoutInMillis: 29000 -> 5000$/m, 'a changed field, old -> new');
  t.match(plan.stdout, /Plan: 1 to add, 1 to change, 1 to remove, 1 unchanged; permissions: 1 to add, 1 to remove; deploy stage prod/);
  t.matchSnapshot(stableIds(ctx, plan.stdout), 'the plan diff');
});

t.test('a map the API already matches: no changes', async (t) => {
  const ctx = await startListeningGatewire(t);
  const files = await routeMapFolder(t);
  await files.write('routes.json', { routes: { ping: mock } });
  t.equal((await runGatewire(['apply', 'routes.json', '--api', ctx.apiId], { env: ctx.env, cwd: files.dir })).code, 0);
  const plan = await runGatewire(['plan', 'routes.json', '--api', ctx.apiId], { env: ctx.env, cwd: files.dir });
  t.equal(plan.code, 0);
  t.equal(plan.stdout, `No changes: API ${ctx.apiId} already matches the route map (1 routes).\n`);
});

t.test('a map the service refuses: exit 1 and every offending field printed', async (t) => {
  const ctx = await startListeningGatewire(t);
  const files = await routeMapFolder(t);
  await files.write('routes.json', { routes: { a: { backend: { type: 'mock' }, timeoutInMillis: 10 }, b: lambda('no-such-function') } });
  const plan = await runGatewire(['plan', 'routes.json', '--api', ctx.apiId], { env: ctx.env, cwd: files.dir });
  t.equal(plan.code, 1);
  t.equal(plan.stdout, '');
  t.match(plan.stderr, /^Error: 400 /);
  t.match(plan.stderr, /^ {2}\/routes\/a\/timeoutInMillis: must be >= 50$/m, 'the field error, path and message');
});
