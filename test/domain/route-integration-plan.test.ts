// The planner is pure: state in, ordered steps out. These cases pin which calls each situation
// takes, and that every step that can be undone carries its undo.
import t from 'tap';
import type { Integration, IntegrationFields } from '../../src/domain/model.js';
import { resolveReferences } from '../../src/domain/plan.js';
import { planRouteIntegration, planRouteUnbind, type RouteState } from '../../src/domain/route-integration-plan.js';

const apiId = 'api1';
const mock: IntegrationFields = {
  integrationType: 'MOCK',
  connectionType: 'INTERNET',
  passthroughBehavior: 'WHEN_NO_MATCH',
  payloadFormatVersion: '1.0',
  timeoutInMillis: 29000,
};
const existing: Integration = { ...mock, integrationId: 'int1', integrationResponseSelectionExpression: '${integration.response.statuscode}' };
const route = { routeId: 'r1', routeKey: 'send', target: 'integrations/int1' };
const empty: RouteState = { apiId, routeKey: 'send', integrationResponses: [], routeResponses: [], otherRoutesUsingIntegration: [] };
const bound: RouteState = { ...empty, route, integration: existing };

const ops = (steps: { operation: string }[]) => steps.map((step) => step.operation);

const cases: { name: string; state: RouteState; desired: Parameters<typeof planRouteIntegration>[1]; expect: string[] }[] = [
  { name: 'new route', state: empty, desired: { integration: mock, responses: [] }, expect: ['CreateIntegration', 'CreateRoute'] },
  {
    name: 'existing route without integration',
    state: { ...empty, route: { routeId: 'r1', routeKey: 'send' } },
    desired: { integration: mock, responses: [] },
    expect: ['CreateIntegration', 'UpdateRoute'],
  },
  { name: 'nothing to do', state: bound, desired: { integration: mock, responses: [] }, expect: [] },
  { name: 'a changed value', state: bound, desired: { integration: { ...mock, timeoutInMillis: 100 }, responses: [] }, expect: ['UpdateIntegration'] },
  {
    name: 'a removed field replaces',
    state: { ...bound, integration: { ...existing, templateSelectionExpression: '\\$default' } },
    desired: { integration: mock, responses: [] },
    expect: ['CreateIntegration', 'UpdateRoute', 'DeleteIntegration'],
  },
  {
    name: 'a removed description is cleared in place',
    state: { ...bound, integration: { ...existing, description: 'old' } },
    desired: { integration: mock, responses: [] },
    expect: ['UpdateIntegration'],
  },
  {
    name: 'a removed request parameter is removed in place',
    state: { ...bound, integration: { ...existing, requestParameters: { 'integration.request.header.a': 'context.stage', 'integration.request.header.b': "'b'" } } },
    desired: { integration: { ...mock, requestParameters: { 'integration.request.header.b': "'b'" } }, responses: [] },
    expect: ['UpdateIntegration'],
  },
  {
    name: 'a removed request template replaces (AWS documents no in-place removal)',
    state: { ...bound, integration: { ...existing, requestTemplates: { 'application/json': '{}', 'text/plain': 'x' } } },
    desired: { integration: { ...mock, requestTemplates: { 'application/json': '{}' } }, responses: [] },
    expect: ['CreateIntegration', 'UpdateRoute', 'DeleteIntegration'],
  },
  {
    name: 'a shared integration is left alone',
    state: { ...bound, otherRoutesUsingIntegration: ['other'] },
    desired: { integration: { ...mock, timeoutInMillis: 100 }, responses: [] },
    expect: ['CreateIntegration', 'UpdateRoute'],
  },
  {
    name: 'a shared integration whose responses would change is left alone too',
    state: { ...bound, otherRoutesUsingIntegration: ['other'] },
    desired: { integration: mock, responses: [{ integrationResponseKey: '$default' }] },
    expect: ['CreateIntegration', 'CreateIntegrationResponse', 'UpdateRoute'],
  },
  {
    name: 'responses: create, update, replace and delete',
    state: {
      ...bound,
      integrationResponses: [
        { integrationResponseId: 'ir1', integrationResponseKey: '$default', responseTemplates: { a: '1' } },
        { integrationResponseId: 'ir2', integrationResponseKey: '/2\\d\\d/', templateSelectionExpression: 'x' },
        { integrationResponseId: 'ir3', integrationResponseKey: '/5\\d\\d/' },
      ],
    },
    desired: {
      integration: mock,
      responses: [
        { integrationResponseKey: '$default', responseTemplates: { a: '2' } },
        { integrationResponseKey: '/2\\d\\d/' },
        { integrationResponseKey: '/4\\d\\d/' },
      ],
    },
    expect: ['UpdateIntegrationResponse', 'CreateIntegrationResponse', 'DeleteIntegrationResponse', 'CreateIntegrationResponse', 'DeleteIntegrationResponse'],
  },
  {
    name: 'two-way on',
    state: bound,
    desired: { integration: mock, responses: [], returnResponse: true },
    expect: ['UpdateRoute', 'CreateRouteResponse'],
  },
  {
    name: 'two-way off',
    state: { ...bound, route: { ...route, routeResponseSelectionExpression: '$default' }, routeResponses: [{ routeResponseId: 'rr1', routeResponseKey: '$default' }] },
    desired: { integration: mock, responses: [], returnResponse: false },
    expect: ['UpdateRoute', 'DeleteRouteResponse'],
  },
  {
    name: 'two-way untouched when absent',
    state: { ...bound, route: { ...route, routeResponseSelectionExpression: '$default' }, routeResponses: [{ routeResponseId: 'rr1', routeResponseKey: '$default' }] },
    desired: { integration: mock, responses: [] },
    expect: [],
  },
];

for (const { name, state, desired, expect } of cases) {
  t.test(name, async (t) => {
    const steps = planRouteIntegration(state, desired);
    t.same(ops(steps), expect);
    const ids = steps.map((step) => step.id);
    t.equal(new Set(ids).size, ids.length, 'step ids are unique');
    for (const step of steps) {
      if (step.operation.startsWith('Create') || step.operation.startsWith('Update')) {
        t.ok(step.compensation, `${step.id} can be undone`);
      }
    }
    const deletesIntegration = steps.findIndex((step) => step.operation === 'DeleteIntegration');
    if (deletesIntegration >= 0) t.equal(deletesIntegration, steps.length - 1, 'an integration is deleted last');
  });
}

t.test('unbind', async (t) => {
  t.same(ops(planRouteUnbind(bound)), ['UpdateRoute', 'DeleteIntegration']);
  t.same(ops(planRouteUnbind({ ...bound, otherRoutesUsingIntegration: ['b'] })), ['UpdateRoute'], 'keeps an integration others use');
  t.same(planRouteUnbind({ ...empty, route: { routeId: 'r1', routeKey: 'send' } }), [], 'nothing bound, nothing to do');
});

t.test('references to ids created by earlier steps', async (t) => {
  const created = new Map([['create-integration', 'abc1234']]);
  t.same(
    resolveReferences({ operation: 'UpdateRoute', params: { apiId, routeId: 'r1', target: 'integrations/<create-integration>', routeKey: '<kept>' } }, created),
    { operation: 'UpdateRoute', params: { apiId, routeId: 'r1', target: 'integrations/abc1234', routeKey: '<kept>' } },
    'only id parameters are resolved',
  );
  t.throws(
    () => resolveReferences({ operation: 'DeleteIntegration', params: { apiId, integrationId: '<create-route>' } }, created),
    /has not created an id yet/,
  );
});

t.test('an in-place request-parameter edit sends dropped keys as "" and its undo puts them back', async (t) => {
  const state: RouteState = {
    ...bound,
    integration: { ...existing, requestParameters: { 'integration.request.header.a': 'context.stage', 'integration.request.header.b': "'b'" } },
  };
  const [step] = planRouteIntegration(state, {
    integration: { ...mock, requestParameters: { 'integration.request.header.b': "'b2'", 'integration.request.header.c': "'c'" } },
    responses: [],
  });
  t.same(step?.params, {
    apiId,
    integrationId: 'int1',
    requestParameters: { 'integration.request.header.b': "'b2'", 'integration.request.header.c': "'c'", 'integration.request.header.a': '' },
  });
  t.same(step?.compensation?.params, {
    apiId,
    integrationId: 'int1',
    requestParameters: { 'integration.request.header.a': 'context.stage', 'integration.request.header.b': "'b'", 'integration.request.header.c': '' },
  });
});
