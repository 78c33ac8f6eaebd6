// ?deployStage= (DESIGN §2): after the change, a deployment on that stage as the plan's last step
// (CreateDeployment), paced to AWS's one-per-interval limit, which the fake enforces with a small
// interval here (and Gatewire's config uses the same).
import t from 'tap';
import { CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import { startFakeAws, type Deployment, type FakeAws, type Stage } from '../support/fake-aws/index.js';
import { apiGatewayClientFor } from '../support/fake-aws/sdk-clients.js';
import { assertProblem } from '../support/problems.js';
import type { TestContext } from '../support/tap.js';

const INTERVAL_MS = 300;
const MOCK = { backend: { type: 'mock' }, requestTemplates: { 'application/json': '{"statusCode":200}' } };

// One app and fake for the file (booting one per test is most of the cost); each test uses its own routes.
async function setUp(t: TestContext): Promise<TestApp> {
  const stages = [{ stageName: 'prod' }, { stageName: 'live', autoDeploy: true }];
  const fake = await startFakeAws({ deploymentIntervalMs: INTERVAL_MS });
  t.teardown(() => fake.close());
  const ctx = await buildTestApp(t, { checkValidators: true, fake, env: { GATEWIRE_DEPLOYMENT_INTERVAL_MS: String(INTERVAL_MS) } });
  const client = apiGatewayClientFor(fake);
  for (const stage of stages) await client.send(new CreateStageCommand({ ApiId: ctx.apiId, StageName: stage.stageName, AutoDeploy: stage.autoDeploy }));
  client.destroy();
  fake.resetCalls();
  return ctx;
}

/** The API's stages and the deployments Gatewire made (not those an autoDeploy stage made itself). */
function stagesOf(fake: FakeAws, apiId: string): { stages: Stage[]; deployments: Deployment[]; autoDeployments: Deployment[] } {
  const { stages, deployments } = (fake.snapshot() as { apis: Record<string, { stages: Stage[]; deployments: Deployment[] }> }).apis[apiId]!;
  return {
    stages,
    deployments: deployments.filter((deployment) => !deployment.autoDeployed),
    autoDeployments: deployments.filter((deployment) => deployment.autoDeployed),
  };
}

const deployments = (fake: FakeAws) => fake.calls.filter((call) => call.operation === 'CreateDeployment');

const shared = await setUp(t);
t.beforeEach(() => {
  shared.fake.resetCalls();
  shared.fake.clearFaults();
});

t.test('a PUT with deployStage deploys the change on the stage, as the last step, audited', async (t) => {
  const { app, fake, apiId, auditStore } = shared;
  const before = stagesOf(fake, apiId).deployments.length;
  const response = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'ping', '?deployStage=prod'), payload: MOCK });
  t.equal(response.statusCode, 200, response.body.slice(0, 400));
  const body = response.json();
  t.match(body.deployment, { stageName: 'prod', status: 'deployed', deploymentId: String });
  t.match(body.plan.at(-1), { operation: 'CreateDeployment', params: { apiId, stageName: 'prod', description: String } }, 'the last plan step');
  t.equal(body.plan.filter((step: { operation: string }) => step.operation === 'CreateDeployment').length, 1);

  const { stages, deployments: created } = stagesOf(fake, apiId);
  t.equal(created.length, before + 1, 'one deployment');
  t.equal(created.at(-1)!.deploymentId, body.deployment.deploymentId);
  t.equal(stages.find((stage) => stage.stageName === 'prod')?.deploymentId, body.deployment.deploymentId, 'the stage points at it');
  const writes = fake.writes().map((call) => call.operation);
  t.equal(writes.at(-1), 'CreateDeployment', 'deployed after every other write');

  const record = auditStore.records().at(-1)!;
  t.equal(record.status, 'succeeded');
  t.equal((record.plan as { operation: string }[]).at(-1)?.operation, 'CreateDeployment', 'the audit record has the step in its plan');
  t.ok(record.awsCalls?.some((call) => call.operation === 'CreateDeployment' && call.outcome === 'ok'), 'and the call in awsCalls');
  t.ok(record.awsCalls?.some((call) => call.operation === 'GetStage'), 'and the stage read');

  // Nothing to do: nothing to deploy.
  fake.resetCalls();
  const again = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'ping', '?deployStage=prod'), payload: MOCK });
  t.equal(again.json().outcome, 'unchanged');
  t.same(again.json().deployment, { stageName: 'prod', status: 'not-needed' });
  t.same(fake.writes(), []);
});

t.test('a dry run lists the CreateDeployment step and writes nothing', async (t) => {
  const { app, fake, apiId, auditStore } = shared;
  const records = auditStore.records().length;
  const before = stagesOf(fake, apiId).deployments.length;
  const response = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'dry', '?dryRun=true&deployStage=prod'), payload: MOCK });
  t.equal(response.statusCode, 200, response.body.slice(0, 400));
  t.equal(response.json().outcome, 'planned');
  t.equal(response.json().plan.at(-1).operation, 'CreateDeployment');
  t.same(response.json().deployment, { stageName: 'prod', status: 'planned' });
  t.same(fake.writes(), [], 'the fake saw no write');
  t.equal(auditStore.records().length, records);
  t.equal(stagesOf(fake, apiId).deployments.length, before);
});

t.test('an auto-deploy stage gets no deployment', async (t) => {
  const { app, fake, apiId } = shared;
  const before = stagesOf(fake, apiId).deployments.length;
  const autoBefore = stagesOf(fake, apiId).autoDeployments.length;
  const response = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'auto', '?deployStage=live'), payload: MOCK });
  t.equal(response.statusCode, 200, response.body.slice(0, 400));
  t.equal(response.json().outcome, 'applied');
  t.same(response.json().deployment, { stageName: 'live', status: 'auto-deploys' });
  t.notOk(response.json().plan.some((step: { operation: string }) => step.operation === 'CreateDeployment'));
  t.same(deployments(fake), [], 'no CreateDeployment call');
  t.equal(stagesOf(fake, apiId).deployments.length, before);
  // The stage deployed itself (the fake, like AWS, deploys an autoDeploy stage after each write).
  t.ok(stagesOf(fake, apiId).autoDeployments.length > autoBefore, 'the stage deployed itself');
});

t.test('an unknown or malformed stage is a 400 on deployStage, and nothing changes', async (t) => {
  const { app, fake, apiId, auditStore } = shared;
  const records = auditStore.records().length;
  const unknown = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'unknown', '?deployStage=nope'), payload: MOCK });
  const problem = assertProblem(t, unknown, 400);
  t.match(problem.errors, [{ path: '/deployStage', message: /nope/ }]);
  const malformed = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'unknown', '?deployStage=no%20spaces'), payload: MOCK });
  t.match(assertProblem(t, malformed, 400).errors, [{ path: '/querystring/deployStage' }]);
  t.same(fake.writes(), [], 'no write');
  t.equal(auditStore.records().length, records);
  t.equal(fake.api(apiId).route('unknown'), undefined);
});

t.test('two changes in quick succession both deploy, paced by the interval', async (t) => {
  const { app, fake, apiId } = shared;
  const before = stagesOf(fake, apiId).deployments.length;
  const [first, second] = await Promise.all(
    ['one', 'two'].map((routeKey) => app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, routeKey, '?deployStage=prod'), payload: MOCK })),
  );
  t.equal(first!.json().deployment?.status, 'deployed', first!.body.slice(0, 300));
  t.equal(second!.json().deployment?.status, 'deployed', second!.body.slice(0, 300));
  const created = stagesOf(fake, apiId).deployments.slice(before).map((deployment) => Date.parse(deployment.createdDate));
  t.equal(created.length, 2);
  t.ok(Math.abs(created[1]! - created[0]!) >= INTERVAL_MS, `deployments ${Math.abs(created[1]! - created[0]!)} ms apart`);
  t.same(deployments(fake).filter((call) => call.status === 429), [], 'Gatewire paced them: AWS never answered 429');
});

t.test('a 429 from another instance deployment is waited out and retried', async (t) => {
  const { app, fake, apiId } = shared;
  fake.inject({ operation: 'CreateDeployment', nth: 1, fault: 'throttle' });
  const response = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'retried', '?deployStage=prod'), payload: MOCK });
  t.equal(response.statusCode, 200, response.body.slice(0, 400));
  t.equal(response.json().deployment.status, 'deployed');
  t.same(deployments(fake).map((call) => call.status), [429, 201], 'one 429, then the deployment');
});

t.test('a failed deployment rolls the change back: it reaches the stage or does not happen', async (t) => {
  const { app, fake, apiId, auditStore } = shared;
  const integrations = fake.api(apiId).integrations.length;
  fake.inject({ operation: 'CreateDeployment', fault: 'server-error' });
  const response = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'doomed', '?deployStage=prod'), payload: MOCK });
  const problem = assertProblem(t, response, 502);
  t.ok(problem.auditId);
  t.equal(fake.api(apiId).route('doomed'), undefined, 'the route created for the change is gone again');
  t.equal(fake.api(apiId).integrations.length, integrations, 'and so is its integration');
  t.equal(auditStore.records().at(-1)?.status, 'rolled_back');
});

t.test('every mutation accepts deployStage: a raw PATCH deploys too', async (t) => {
  const { app, fake, apiId } = shared;
  const before = stagesOf(fake, apiId).deployments.length;
  const created = await app.inject({ method: 'POST', url: `/v1/apis/${apiId}/integrations?deployStage=prod`, payload: { integrationType: 'MOCK' } });
  t.equal(created.statusCode, 201, created.body.slice(0, 300));
  t.equal(created.json().deployment.status, 'deployed');
  const integrationId = created.json().integration.integrationId as string;
  const patched = await app.inject({
    method: 'PATCH',
    url: `/v1/apis/${apiId}/integrations/${integrationId}?deployStage=prod`,
    payload: { description: 'deployed' },
  });
  t.equal(patched.statusCode, 200, patched.body.slice(0, 300));
  t.equal(patched.json().deployment.status, 'deployed');
  t.equal(stagesOf(fake, apiId).deployments.length, before + 2);
});
