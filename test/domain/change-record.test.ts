// What a record keeps, by action (domain/change-record.ts): one list of actions, and readers that
// take what a record stored only when it has the shape its action writes.
import t from 'tap';
import { CHANGE_ACTIONS, isChangeAction, plannedOutcomesOf, type RecordedStateOf } from '../../src/domain/change-record.js';
import type { ChangeSpec } from '../../src/services/change-runner.js';

t.test('one list of actions', async (t) => {
  t.ok(CHANGE_ACTIONS.every(isChangeAction));
  t.notOk(isChangeAction('integration.craete'), 'a misspelt action is none');
  t.equal(new Set(CHANGE_ACTIONS).size, CHANGE_ACTIONS.length);
});

t.test('a bulk apply\'s planned outcomes, and nothing else', async (t) => {
  const outcomes = { a: 'created', b: 'unchanged', c: 'removed', d: 'updated' };
  t.same(plannedOutcomesOf({ action: 'routes.bulk-put', before: { routes: {}, outcomes, policies: {} } }), outcomes);
  t.equal(plannedOutcomesOf({ action: 'route-integration.put', before: { outcomes } }), undefined, 'another action');
  t.equal(plannedOutcomesOf({ action: 'routes.bulk-put', before: null }), undefined, 'no before');
  t.equal(plannedOutcomesOf({ action: 'routes.bulk-put', before: { outcomes: 'created' } }), undefined, 'not a map');
  t.equal(plannedOutcomesOf({ action: 'routes.bulk-put', before: { outcomes: { a: 'exploded' } } }), undefined, 'an outcome no bulk apply plans');
});

t.test('a spec describes its state in its action\'s recorded shape', async (t) => {
  // Compile-time checks: tsc (npm run typecheck) fails if any of these is accepted.
  type State = { n: number };
  const base = { apiId: 'api1', request: {}, read: async () => ({ n: 1 }), plan: () => [], present: () => ({ status: 200, body: {} }) };
  const specs: ChangeSpec<State>[] = [
    { ...base, action: 'integration.delete', describe: () => null },
    // @ts-expect-error an update's record keeps the integration, never null
    { ...base, action: 'integration.update', describe: () => null },
    // @ts-expect-error a route change keeps the route's state, not a number
    { ...base, action: 'route-integration.put', describe: (state: State) => state.n },
    // @ts-expect-error no such action
    { ...base, action: 'integration.craete', describe: () => null },
  ];
  const none: RecordedStateOf['integration.create'] = null;
  t.equal(specs.length, 4);
  t.equal(none, null);
});
