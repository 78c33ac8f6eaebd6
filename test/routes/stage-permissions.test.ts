// Never break a deployed stage (issue 16 §1, DESIGN §4): a stage without autoDeploy runs the API as
// it was at its last deployment, so a statement the working configuration stops needing stays until
// every such stage has been deployed since. Against the fake: stages, deployments, GetStages,
// GetDeployment, and autoDeploy stages that deploy themselves after each write.
import t from 'tap';
import { CreateDeploymentCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import { startFakeAws } from '../support/fake-aws/index.js';
import { apiGatewayClientFor } from '../support/fake-aws/sdk-clients.js';
import type { TestContext } from '../support/tap.js';

const ACCOUNT = '123456789012';
const INTERVAL_MS = 20;
const A_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:fn-a`;
const lambda = (fn: string) => ({ backend: { type: 'lambda', function: fn } });

interface PlanStep {
  id: string;
  operation: string;
  params: Record<string, unknown>;
}

/** An app over a fake whose API has the given stages, functions fn-a and fn-b, and `chat` bound to fn-a. */
async function setUp(
  t: TestContext,
  stages: { stageName: string; autoDeploy?: boolean }[],
  options: { deployA?: boolean; env?: Record<string, string>; routes?: string[] } = {},
) {
  const fake = await startFakeAws({ deploymentIntervalMs: INTERVAL_MS });
  t.teardown(() => fake.close());
  const ctx = await buildTestApp(t, { fake, env: { GATEWIRE_DEPLOYMENT_INTERVAL_MS: String(INTERVAL_MS), ...options.env } });
  fake.seedFunction({ name: 'fn-a' });
  fake.seedFunction({ name: 'fn-b' });
  const client = apiGatewayClientFor(fake);
  t.teardown(() => client.destroy());
  for (const stage of stages) await client.send(new CreateStageCommand({ ApiId: ctx.apiId, StageName: stage.stageName, AutoDeploy: stage.autoDeploy }));
  const routes = options.routes ?? ['chat'];
  for (const routeKey of routes) {
    const bound = await put(ctx, routeKey, lambda('fn-a'));
    t.equal(bound.statusCode, 200, bound.body.slice(0, 300));
  }
  // prod goes live with fn-a, as a release pipeline would deploy it.
  if (options.deployA !== false) await deploy(ctx, client, 'prod');
  t.equal(statementsOf(ctx, 'fn-a').length, options.env?.GATEWIRE_PERMISSION_SCOPE === 'route' ? routes.length : 1, 'fn-a has its statements');
  return { ...ctx, client };
}

async function deploy(ctx: TestApp, client: ReturnType<typeof apiGatewayClientFor>, stageName: string) {
  await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS + 5));
  return client.send(new CreateDeploymentCommand({ ApiId: ctx.apiId, StageName: stageName }));
}

function put(ctx: TestApp, routeKey: string, body: object, query = '') {
  return ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, routeKey, query), payload: body });
}

const statementsOf = (ctx: TestApp, fn: string) => ctx.fake.policy(fn).filter((statement) => statement.Sid.startsWith('gatewire-'));
const operations = (plan: PlanStep[]) => plan.map((step) => step.operation);

async function report(ctx: TestApp) {
  const response = await ctx.app.inject({ method: 'GET', url: `/v1/apis/${ctx.apiId}/permissions` });
  return response.json();
}

async function reconcile(ctx: TestApp, query = '') {
  const response = await ctx.app.inject({ method: 'POST', url: `/v1/apis/${ctx.apiId}/permissions/reconcile${query}` });
  return { status: response.statusCode, body: response.json() };
}

function stageOf(ctx: TestApp, stageName: string): { deploymentId?: string } {
  const { stages } = (ctx.fake.snapshot() as { apis: Record<string, { stages: { stageName: string; deploymentId?: string }[] }> }).apis[ctx.apiId]!;
  return stages.find((stage) => stage.stageName === stageName)!;
}

function deploymentOf(ctx: TestApp, deploymentId: string): { createdDate: string } {
  const { deployments } = (ctx.fake.snapshot() as { apis: Record<string, { deployments: { deploymentId: string; createdDate: string }[] }> }).apis[ctx.apiId]!;
  return deployments.find((deployment) => deployment.deploymentId === deploymentId)!;
}

t.test("A -> B without deploying prod keeps A's statement, the report says why; deploying prod and reconciling removes it", async (t) => {
  const ctx = await setUp(t, [{ stageName: 'prod' }, { stageName: 'live', autoDeploy: true }]);
  const prodDeployment = stageOf(ctx, 'prod').deploymentId!;
  const moved = await put(ctx, 'chat', lambda('fn-b'));
  t.equal(moved.statusCode, 200, moved.body.slice(0, 300));
  t.notOk(operations(moved.json().plan).includes('RemovePermission'), 'the move plans no removal');
  t.equal(statementsOf(ctx, 'fn-a').length, 1, "fn-a's statement stays: prod still runs fn-a");
  t.equal(statementsOf(ctx, 'fn-b').length, 1, 'fn-b got its statement');
  const [record] = (await ctx.auditStore.list({ apiId: ctx.apiId, action: 'route-integration.put', limit: 1 })).items;

  const kept = await report(ctx);
  t.same(kept.stale, [], 'not reported stale');
  t.same(kept.kept, [
    {
      functionArn: A_ARN,
      statementId: `gatewire-${ctx.apiId}-api`,
      unusedSince: record!.finishedAt,
      stages: [{ stageName: 'prod', deploymentId: prodDeployment, deployedAt: deploymentOf(ctx, prodDeployment).createdDate }],
    },
  ], 'kept for prod (with its deployment and time), not for the autoDeploy stage live');

  const early = await reconcile(ctx);
  t.equal(early.status, 200);
  t.equal(early.body.outcome, 'unchanged', 'reconcile leaves it while prod has not been deployed');
  t.equal(statementsOf(ctx, 'fn-a').length, 1);

  await deploy(ctx, ctx.client, 'prod');
  const later = await reconcile(ctx);
  t.equal(later.status, 200, JSON.stringify(later.body).slice(0, 300));
  t.same(operations(later.body.plan), ['RemovePermission'], 'once prod was deployed since, reconcile removes it');
  t.same(statementsOf(ctx, 'fn-a'), [], "fn-a's statement is gone");
  t.same(later.body.report.kept, []);
  t.same(later.body.report.stale, []);
  t.equal(statementsOf(ctx, 'fn-b').length, 1, "fn-b's statement untouched");
});

t.test('with deployStage on the only stage that needs it, the statement goes in the same change, after the deployment', async (t) => {
  const ctx = await setUp(t, [{ stageName: 'prod' }, { stageName: 'live', autoDeploy: true }]);
  const dry = await put(ctx, 'chat', lambda('fn-b'), '?deployStage=prod&dryRun=true');
  const moved = await put(ctx, 'chat', lambda('fn-b'), '?deployStage=prod');
  t.equal(moved.statusCode, 200, moved.body.slice(0, 300));
  const plan: PlanStep[] = moved.json().plan;
  t.same(operations(dry.json().plan), operations(plan), 'the dry run shows the plan that ran');
  t.same(operations(plan).slice(-2), ['CreateDeployment', 'RemovePermission'], 'the removal runs after the deployment');
  t.match(plan.at(-1)!.params, { functionName: A_ARN, statementId: `gatewire-${ctx.apiId}-api` });
  t.match(moved.json().deployment, { stageName: 'prod', status: 'deployed' });
  t.same(statementsOf(ctx, 'fn-a'), [], "fn-a's statement is gone");
  t.same((await report(ctx)).kept, []);
});

t.test('deploying one of two stages that need it keeps the statement for the other', async (t) => {
  const ctx = await setUp(t, [{ stageName: 'prod' }, { stageName: 'beta' }]);
  await deploy(ctx, ctx.client, 'beta');
  const moved = await put(ctx, 'chat', lambda('fn-b'), '?deployStage=prod');
  t.equal(moved.statusCode, 200, moved.body.slice(0, 300));
  t.notOk(operations(moved.json().plan).includes('RemovePermission'), 'beta still runs fn-a');
  t.equal(statementsOf(ctx, 'fn-a').length, 1);
  t.same(
    (await report(ctx)).kept.map((statement: { stages: { stageName: string }[] }) => statement.stages.map((stage) => stage.stageName)),
    [['beta']],
    'kept for beta only: prod was deployed with the change',
  );
});

t.test('an autoDeploy stage (or a stage never deployed) holds nothing back: the statement goes at once', async (t) => {
  const ctx = await setUp(t, [{ stageName: 'live', autoDeploy: true }, { stageName: 'prod' }], { deployA: false });
  const moved = await put(ctx, 'chat', lambda('fn-b'));
  t.equal(moved.statusCode, 200, moved.body.slice(0, 300));
  t.equal(operations(moved.json().plan).at(-1), 'RemovePermission');
  t.same(statementsOf(ctx, 'fn-a'), [], "fn-a's statement is gone in the same change");
  const stageReads = ctx.fake.calls.filter((call) => call.operation === 'GetStages' || call.operation === 'GetDeployment');
  t.same(stageReads.map((call) => call.operation), ['GetStages'], 'stages read once, no GetDeployment for autoDeploy or undeployed stages');
});

t.test('a change that removes nothing reads no stage', async (t) => {
  const ctx = await setUp(t, [{ stageName: 'prod' }]);
  ctx.fake.resetCalls();
  const bound = await put(ctx, 'other', lambda('fn-b'));
  t.equal(bound.statusCode, 200, bound.body.slice(0, 300));
  t.same(ctx.fake.calls.filter((call) => /Stage|Deployment/.test(call.operation)), [], 'no GetStages, no GetDeployment');
});

t.test('DELETE of the route integration keeps the statement prod still needs', async (t) => {
  const ctx = await setUp(t, [{ stageName: 'prod' }]);
  const removed = await ctx.app.inject({ method: 'DELETE', url: routeIntegrationUrl(ctx.apiId, 'chat') });
  t.equal(removed.statusCode, 200, removed.body.slice(0, 300));
  t.notOk(operations(removed.json().plan).includes('RemovePermission'));
  t.equal(statementsOf(ctx, 'fn-a').length, 1, "fn-a's statement stays");
  t.match((await report(ctx)).kept, [{ functionArn: A_ARN, stages: [{ stageName: 'prod' }] }]);
  // Deploying prod through a reconcile lets it go in that same change.
  const done = await reconcile(ctx, '?deployStage=prod');
  t.equal(done.status, 200, JSON.stringify(done.body).slice(0, 300));
  t.same(operations(done.body.plan), ['CreateDeployment', 'RemovePermission']);
  t.same(statementsOf(ctx, 'fn-a'), []);
});

t.test('bulk null keeps the statement prod still needs', async (t) => {
  const ctx = await setUp(t, [{ stageName: 'prod' }]);
  const response = await ctx.app.inject({ method: 'PUT', url: `/v1/apis/${ctx.apiId}/routes`, payload: { routes: { chat: null } } });
  t.equal(response.statusCode, 200, response.body.slice(0, 300));
  t.equal(response.json().routes.chat.outcome, 'removed');
  t.notOk(operations(response.json().plan).includes('RemovePermission'));
  t.equal(statementsOf(ctx, 'fn-a').length, 1, "fn-a's statement stays");
  t.match((await report(ctx)).kept, [{ functionArn: A_ARN, stages: [{ stageName: 'prod' }] }]);
});

t.test("route scope: the moved route's statement is kept for prod, the other route's stays in use", async (t) => {
  const ctx = await setUp(t, [{ stageName: 'prod' }], { env: { GATEWIRE_PERMISSION_SCOPE: 'route' }, routes: ['chat', 'other'] });
  const moved = await put(ctx, 'chat', lambda('fn-b'));
  t.equal(moved.statusCode, 200, moved.body.slice(0, 300));
  t.notOk(operations(moved.json().plan).includes('RemovePermission'));
  t.same(statementsOf(ctx, 'fn-a').map((statement) => statement.Sid).sort(), [`gatewire-${ctx.apiId}-r-chat`, `gatewire-${ctx.apiId}-r-other`]);
  const kept = await report(ctx);
  t.match(kept.kept, [{ functionArn: A_ARN, statementId: `gatewire-${ctx.apiId}-r-chat`, stages: [{ stageName: 'prod' }] }]);
  t.equal(kept.kept.length, 1);
  await deploy(ctx, ctx.client, 'prod');
  const done = await reconcile(ctx);
  t.same(operations(done.body.plan), ['RemovePermission']);
  t.same(statementsOf(ctx, 'fn-a').map((statement) => statement.Sid), [`gatewire-${ctx.apiId}-r-other`], "only the route still on fn-a keeps a statement");
});
