// What a change's audit record says it did (DESIGN §5): the action, one name per kind of change,
// and what `before` and `after` hold for each. The services that write records and the readers of
// the trail (the applied state, drift, progress) share these types instead of re-parsing unknown.
// Records are JSON in the store: a reader still checks what it reads (older records, other
// versions), but it checks against these shapes.
import type { AuditRecord } from './audit.js';
import type { BulkRouteOutcome } from './bulk-plan.js';
import type { Integration, IntegrationResponse } from './model.js';
import type { FunctionPolicyState } from './permissions.js';
import type { RouteState } from './route-integration-plan.js';

/** Every kind of change, as records name it. */
export const CHANGE_ACTIONS = [
  'integration.create',
  'integration.update',
  'integration.delete',
  'integration-response.put',
  'integration-response.delete',
  'route-integration.put',
  'route-integration.delete',
  'routes.bulk-put',
  'permissions.reconcile',
] as const;

export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

/** The bulk apply (bulk-apply-service.ts): `before`/`after` describe each named route. */
export const BULK_ROUTES_ACTION = 'routes.bulk-put' satisfies ChangeAction;

export function isChangeAction(value: string): value is ChangeAction {
  return (CHANGE_ACTIONS as readonly string[]).includes(value);
}

/** Function policies a change depended on, by policy key (permissions.ts policyKey). */
export type RecordedPolicies = Record<string, FunctionPolicyState | undefined>;

/** A route change's state: the route and its integration, not the whole API around it. */
export type RecordedRouteState = RouteState & { policies: RecordedPolicies };

/** A bulk apply's state: each named route's, the policies, and the outcome planned for each route. */
export interface RecordedBulkState {
  routes: Record<string, Omit<RouteState, 'apiId' | 'routeKey'>>;
  outcomes: Record<string, BulkRouteOutcome>;
  policies: RecordedPolicies;
}

/**
 * What `before` and `after` hold, by action (`null`: there is none: before a create, after a
 * delete). An `after` that could not be read is `{ unreadable }` instead, whatever the action.
 * `permissions.reconcile` keeps the permission report, whose type belongs to its service.
 */
export interface RecordedStateOf<PermissionReport = unknown> {
  'integration.create': Integration | null;
  'integration.update': Integration;
  'integration.delete': Integration | null;
  'integration-response.put': IntegrationResponse | null;
  'integration-response.delete': IntegrationResponse | null;
  'route-integration.put': RecordedRouteState;
  'route-integration.delete': RecordedRouteState;
  'routes.bulk-put': RecordedBulkState;
  'permissions.reconcile': PermissionReport;
}

const BULK_ROUTE_OUTCOMES: readonly string[] = ['unchanged', 'created', 'updated', 'removed'] satisfies readonly BulkRouteOutcome[];

/** The outcome a bulk apply planned for each route (its `before.outcomes`); undefined for any other record. */
export function plannedOutcomesOf(record: Pick<AuditRecord, 'action' | 'before'>): RecordedBulkState['outcomes'] | undefined {
  if (record.action !== BULK_ROUTES_ACTION) return undefined;
  const { before } = record;
  if (typeof before !== 'object' || before === null || !('outcomes' in before)) return undefined;
  const { outcomes } = before;
  if (typeof outcomes !== 'object' || outcomes === null) return undefined;
  const entries = Object.entries(outcomes);
  if (!entries.every(([, outcome]) => typeof outcome === 'string' && BULK_ROUTE_OUTCOMES.includes(outcome))) return undefined;
  return Object.fromEntries(entries) as RecordedBulkState['outcomes'];
}
