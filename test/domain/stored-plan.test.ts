// A plan read back from a record (domain/stored-plan.ts) is the plan that was stored, as the
// union the executor runs; what this version cannot run is refused with the step named.
import t from 'tap';
import { planBulkApply } from '../../src/domain/bulk-plan.js';
import type { IntegrationFields } from '../../src/domain/model.js';
import { deploymentStep, prefixStepIds, type PlanStep } from '../../src/domain/plan.js';
import { planRouteIntegration, type RouteState } from '../../src/domain/route-integration-plan.js';
import { planOfRecord, StoredPlanError } from '../../src/domain/stored-plan.js';

const apiId = 'api1';
const mock: IntegrationFields = { integrationType: 'MOCK', timeoutInMillis: 29000 };
const bound: RouteState = {
  apiId,
  routeKey: 'send',
  route: { routeId: 'r1', routeKey: 'send', target: 'integrations/int1', routeResponseSelectionExpression: '$default' },
  integration: { ...mock, integrationType: 'HTTP', integrationUri: 'https://example.com', integrationId: 'int1' },
  integrationResponses: [{ integrationResponseId: 'ir1', integrationResponseKey: '$default' }],
  routeResponses: [{ routeResponseId: 'rr1', routeResponseKey: '$default' }],
  otherRoutesUsingIntegration: [],
};
const permission: PlanStep = {
  id: 'add-permission-1',
  operation: 'AddPermission',
  description: 'allow',
  params: { functionName: 'arn:aws:lambda:eu-west-1:123456789012:function:f', statementId: 'gw-1', action: 'lambda:InvokeFunction', principal: 'apigateway.amazonaws.com' },
  compensation: { operation: 'RemovePermission', params: { functionName: 'arn:aws:lambda:eu-west-1:123456789012:function:f', statementId: 'gw-1' } },
};

/** What the store gives back: the plan as JSON text, parsed. */
const stored = (plan: unknown) => ({ id: 'chg1', plan: JSON.parse(JSON.stringify(plan)) as unknown });

t.test('a plan reads back as it was written', async (t) => {
  const single = planRouteIntegration(bound, {
    integration: mock,
    responses: [{ integrationResponseKey: '$default', responseTemplates: { a: 'b' } }],
    returnResponse: false,
  });
  t.ok(single.length >= 4, 'a plan with creates, updates and deletes');
  const bulk = planBulkApply(apiId, { routes: [bound.route!], integrations: [bound.integration!] }, [{ routeKey: 'send', state: bound, desired: null }]);
  const plans = {
    single: [permission, ...single, deploymentStep(apiId, 'prod', 'gatewire')],
    bulk: bulk.steps,
    prefixed: prefixStepIds(single, 'r3-'),
  };
  for (const [name, plan] of Object.entries(plans)) t.same(planOfRecord(stored(plan)), plan, name);
  t.same(planOfRecord({ id: 'chg1', plan: null }), [], 'a record without a plan has an empty one');
});

t.test('a plan this version cannot run is refused, naming the step', async (t) => {
  const [create] = planRouteIntegration({ ...bound, route: undefined, integration: undefined, integrationResponses: [], routeResponses: [] }, {
    integration: mock,
    responses: [],
  });
  const refused: [string, unknown, RegExp][] = [
    ['not a list', { steps: [] }, /chg1 is not a list of steps/],
    ['an unknown operation', [{ ...create, operation: 'TagResource' }], /step 0 \(create-integration\): unknown operation "TagResource"/],
    ['an unknown compensation', [{ ...create, compensation: { operation: 'Nothing', params: {} } }], /its compensation: unknown operation "Nothing"/],
    ['a compensation that does not undo it', [{ ...create, compensation: { operation: 'DeleteRoute', params: { apiId, routeId: 'r1' } } }], /DeleteRoute does not undo CreateIntegration/],
    ['an id parameter missing', [permission, { id: 'x', description: 'x', operation: 'DeleteIntegration', params: { apiId } }], /step 1 \(x\): DeleteIntegration lacks integrationId/],
    ['no parameters', [{ id: 'x', description: 'x', operation: 'DeleteRoute' }], /DeleteRoute has no parameters/],
    ['no step id', [{ description: 'x', operation: 'DeleteRoute', params: { apiId, routeId: 'r1' } }], /step 0: no step id/],
    ['a step that is not an object', ['CreateRoute'], /step 0: not an object/],
  ];
  for (const [name, plan, message] of refused) {
    t.throws(() => planOfRecord(stored(plan)), { name: 'StoredPlanError', message }, name);
  }
  t.ok(new StoredPlanError('x') instanceof Error);
});

t.test('the union holds each operation to its own parameters and undo', async (t) => {
  // Compile-time checks: tsc (npm run typecheck) fails if any of these is accepted.
  const wrong: PlanStep[] = [
    // @ts-expect-error a DeleteIntegration needs the integration id
    { id: 'a', description: 'a', operation: 'DeleteIntegration', params: { apiId } },
    // @ts-expect-error a create is undone by its delete, not by an update
    { id: 'b', description: 'b', operation: 'CreateRoute', params: { apiId, routeKey: 'k' }, compensation: { operation: 'UpdateRoute', params: { apiId, routeId: 'r' } } },
    // @ts-expect-error nothing undoes a deployment
    { id: 'c', description: 'c', operation: 'CreateDeployment', params: { apiId, stageName: 's', description: 'd' }, compensation: { operation: 'DeleteRoute', params: { apiId, routeId: 'r' } } },
  ];
  t.equal(wrong.length, 3);
});
