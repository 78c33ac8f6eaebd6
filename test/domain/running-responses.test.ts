// Which responses run (reference §1.3, §2), and the state a view and an entity tag are made of.
import t from 'tap';
import type { Integration, Route } from '../../src/domain/model.js';
import { integrationResponsesRun, routeResponsesRun, withRunningResponses } from '../../src/domain/running-responses.js';

t.test('integration responses run on every type but the proxy ones', async (t) => {
  for (const type of ['AWS', 'HTTP', 'MOCK'] as const) t.ok(integrationResponsesRun({ integrationType: type }), type);
  for (const type of ['AWS_PROXY', 'HTTP_PROXY'] as const) t.notOk(integrationResponsesRun({ integrationType: type }), type);
});

t.test('route responses run only with a selection expression', async (t) => {
  t.ok(routeResponsesRun({ routeResponseSelectionExpression: '$default' }));
  t.notOk(routeResponsesRun({ routeResponseSelectionExpression: '' }), 'an empty one is none (how Gatewire clears it)');
  t.notOk(routeResponsesRun({}));
});

t.test('the running state leaves out what does not run, and keeps the rest', async (t) => {
  const integrationResponses = [{ integrationResponseId: 'ir', integrationResponseKey: '$default' }];
  const routeResponses = [{ routeResponseId: 'rr', routeResponseKey: '$default' }];
  const route = (expression?: string) => ({ routeId: 'r', routeKey: 'send', ...(expression ? { routeResponseSelectionExpression: expression } : {}) }) as Route;
  const integration = (integrationType: string) => ({ integrationId: 'i', integrationType }) as Integration;

  const inert = withRunningResponses({ route: route(), integration: integration('AWS_PROXY'), integrationResponses, routeResponses });
  t.same([inert.integrationResponses, inert.routeResponses], [[], []]);

  const running = withRunningResponses({ route: route('$default'), integration: integration('AWS'), integrationResponses, routeResponses });
  t.same([running.integrationResponses, running.routeResponses], [integrationResponses, routeResponses]);

  const unbound = withRunningResponses({ route: route('$default'), integrationResponses, routeResponses });
  t.same(unbound.integrationResponses, [], 'no integration: none of its responses');
});
