// Drift (GET …/drift): the live API against what Gatewire last applied (applied-state.ts), and the
// changes whose outcome is unknown. Pure: both states come in, the differences go out.
import type { AppliedIntegration, AppliedState } from './applied-state.js';
import { BULK_ROUTES_ACTION } from './change-record.js';
import type { AuditRecord, AuditStatus } from './audit.js';
import { sameValue } from './field-diff.js';
import type { Integration, IntegrationResponse, Route } from './model.js';
import { COMPARED_INTEGRATION_FIELDS, COMPARED_RESPONSE_FIELDS } from './route-integration-plan.js';

export const DRIFT_KINDS = [
  'route-deleted',
  'route-changed',
  'integration-deleted',
  'integration-changed',
  'integration-response-deleted',
  'integration-response-changed',
  'integration-response-added',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** The route fields a change sets: where the route points, and whether it replies (two-way). */
export const COMPARED_ROUTE_FIELDS = ['target', 'routeResponseSelectionExpression'] as const satisfies readonly (keyof Route)[];

export interface DriftItem {
  kind: DriftKind;
  /** Route items: the route key. */
  routeKey?: string;
  /** Integration and response items: the integration. */
  integrationId?: string;
  /** Integration items: the managed route keys whose applied state targets the integration. */
  routeKeys?: string[];
  responseKey?: string;
  /** The field that differs (`route`, `integration` or `response` when the whole resource is gone or new). */
  field: string;
  /** What Gatewire applied (null: nothing, e.g. a response it deleted). */
  applied: unknown;
  /** What AWS holds now (null: nothing). */
  live: unknown;
  /** The audit record the applied value comes from. */
  auditId: string;
}

export interface LiveApiState {
  routes: readonly Route[];
  integrations: readonly Integration[];
  /** The integration responses read, by integration id (only those integrationsWithAppliedResponses named). */
  integrationResponses: ReadonlyMap<string, readonly IntegrationResponse[]>;
}

export interface DriftComparison {
  drift: DriftItem[];
  /** Live route keys Gatewire never applied: not drift, listed so a reader knows they were not compared. */
  unmanaged: string[];
}

/**
 * The integrations whose responses must be read to compare them: those that still exist and whose
 * applied state had responses. Reading only these keeps the report to one list call per such integration.
 */
export function integrationsWithAppliedResponses(applied: AppliedState, live: Pick<LiveApiState, 'integrations'>): string[] {
  const liveIds = new Set(live.integrations.map((integration) => integration.integrationId));
  return [...applied.integrations.values()]
    .filter((integration) => integration.responses.byKey.size > 0 && liveIds.has(integration.integrationId))
    .map((integration) => integration.integrationId)
    .sort();
}

export function compareDrift(applied: AppliedState, live: LiveApiState): DriftComparison {
  const drift: DriftItem[] = [];
  const liveRoutes = new Map(live.routes.map((route) => [route.routeKey, route]));
  const liveIntegrations = new Map(live.integrations.map((integration) => [integration.integrationId, integration]));

  for (const appliedRoute of sortedBy([...applied.routes.values()], (route) => route.routeKey)) {
    const { routeKey, auditId, route } = appliedRoute;
    if (!route) continue;
    const liveRoute = liveRoutes.get(routeKey);
    if (!liveRoute) {
      drift.push({ kind: 'route-deleted', routeKey, field: 'route', applied: route, live: null, auditId });
      continue;
    }
    for (const field of COMPARED_ROUTE_FIELDS) {
      if (!same(route[field], liveRoute[field])) {
        drift.push({ kind: 'route-changed', routeKey, field, applied: valueOf(route[field]), live: valueOf(liveRoute[field]), auditId });
      }
    }
  }

  for (const appliedIntegration of sortedBy([...applied.integrations.values()], (integration) => integration.integrationId)) {
    const liveIntegration = liveIntegrations.get(appliedIntegration.integrationId);
    drift.push(...integrationDrift(appliedIntegration, liveIntegration, live.integrationResponses.get(appliedIntegration.integrationId)));
  }

  const unmanaged = live.routes
    .map((route) => route.routeKey)
    .filter((routeKey) => !applied.routes.has(routeKey))
    .sort();
  return { drift, unmanaged };
}

function integrationDrift(
  applied: AppliedIntegration,
  liveIntegration: Integration | undefined,
  liveResponses: readonly IntegrationResponse[] | undefined,
): DriftItem[] {
  const { integrationId, routeKeys } = applied;
  const about = { integrationId, routeKeys };
  if (!liveIntegration) {
    return [
      {
        kind: 'integration-deleted',
        ...about,
        field: 'integration',
        applied: applied.integration ?? { integrationId },
        live: null,
        auditId: applied.auditId,
      },
    ];
  }
  const items: DriftItem[] = [];
  if (applied.integration) {
    for (const field of COMPARED_INTEGRATION_FIELDS) {
      if (!same(applied.integration[field], liveIntegration[field])) {
        items.push({
          kind: 'integration-changed',
          ...about,
          field,
          applied: valueOf(applied.integration[field]),
          live: valueOf(liveIntegration[field]),
          auditId: applied.auditId,
        });
      }
    }
  }
  if (!liveResponses) return items;

  const { byKey, wholeSetAuditId } = applied.responses;
  const liveByKey = new Map(liveResponses.map((response) => [response.integrationResponseKey, response]));
  for (const [responseKey, { auditId, response }] of sortedBy([...byKey], ([key]) => key)) {
    const liveResponse = liveByKey.get(responseKey);
    const where = { ...about, responseKey, auditId };
    if (response === null) {
      if (liveResponse) items.push({ kind: 'integration-response-added', ...where, field: 'response', applied: null, live: liveResponse });
      continue;
    }
    if (!liveResponse) {
      items.push({ kind: 'integration-response-deleted', ...where, field: 'response', applied: response, live: null });
      continue;
    }
    for (const field of COMPARED_RESPONSE_FIELDS) {
      if (!same(response[field], liveResponse[field])) {
        items.push({ kind: 'integration-response-changed', ...where, field, applied: valueOf(response[field]), live: valueOf(liveResponse[field]) });
      }
    }
  }
  // Keys outside the applied whole set were added behind Gatewire's back.
  if (wholeSetAuditId !== undefined) {
    for (const liveResponse of sortedBy(liveResponses, (response) => response.integrationResponseKey)) {
      const responseKey = liveResponse.integrationResponseKey;
      if (byKey.has(responseKey)) continue;
      items.push({ kind: 'integration-response-added', ...about, responseKey, field: 'response', applied: null, live: liveResponse, auditId: wholeSetAuditId });
    }
  }
  return items;
}

/** A change whose outcome is unknown: the state after it may differ from every record. */
export interface UnsettledChange {
  id: string;
  action: string;
  status: AuditStatus;
  routeKey?: string;
  integrationId?: string;
  occurredAt: string;
  /** `partial`: what the failed compensation left behind. */
  leftovers?: string[];
  /**
   * A newer succeeded change of the same route key(s) or integration: it read the state again and is
   * the baseline now, so this one no longer leaves anything unknown.
   */
  supersededBy?: string;
}

/** Statuses whose changes left an unknown state: a crash mid-change, or a compensation that failed. */
export const UNKNOWN_OUTCOME_STATUSES: readonly AuditStatus[] = ['interrupted', 'partial'];

/**
 * `interrupted` and `partial` changes, and those still `pending` (in flight, or stuck), in the
 * records' order (newest first).
 */
export function unsettledChanges(recordsNewestFirst: readonly AuditRecord[]): { interrupted: UnsettledChange[]; pending: UnsettledChange[] } {
  // The closest newer succeeded record of each route key and integration, while walking back in time.
  const newerByRouteKey = new Map<string, string>();
  const newerByIntegration = new Map<string, string>();
  const interrupted: UnsettledChange[] = [];
  const pending: UnsettledChange[] = [];
  for (const record of recordsNewestFirst) {
    const routeKeys = routeKeysOf(record);
    if (record.status === 'succeeded') {
      routeKeys.forEach((routeKey) => newerByRouteKey.set(routeKey, record.id));
      if (record.integrationId !== undefined) newerByIntegration.set(record.integrationId, record.id);
      continue;
    }
    if (record.status === 'pending') pending.push(summaryOf(record));
    if (!UNKNOWN_OUTCOME_STATUSES.includes(record.status)) continue;
    const newer =
      routeKeys.length > 0
        ? routeKeys.map((routeKey) => newerByRouteKey.get(routeKey))
        : [record.integrationId === undefined ? undefined : newerByIntegration.get(record.integrationId)];
    const supersededBy = newer.every((id) => id !== undefined) ? (newer as string[]).sort().at(-1) : undefined;
    interrupted.push({ ...summaryOf(record), ...(supersededBy ? { supersededBy } : {}) });
  }
  return { interrupted, pending };
}

/** The route keys a change is about: its own, or every key a bulk apply named. */
function routeKeysOf(record: AuditRecord): string[] {
  if (record.routeKey !== undefined) return [record.routeKey];
  if (record.action !== BULK_ROUTES_ACTION) return [];
  const routes = (isMap(record.after) && isMap(record.after.routes) ? record.after.routes : undefined) ??
    (isMap(record.request) && isMap(record.request.routes) ? record.request.routes : {});
  return Object.keys(routes);
}

function summaryOf(record: AuditRecord): UnsettledChange {
  return {
    id: record.id,
    action: record.action,
    status: record.status,
    ...(record.routeKey !== undefined ? { routeKey: record.routeKey } : {}),
    ...(record.integrationId !== undefined ? { integrationId: record.integrationId } : {}),
    occurredAt: record.occurredAt,
    ...(record.leftovers && record.leftovers.length > 0 ? { leftovers: record.leftovers } : {}),
  };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Absent, empty text and an empty map all mean "not set" to AWS. */
function same(applied: unknown, live: unknown): boolean {
  return sameValue(valueOf(applied), valueOf(live));
}

function valueOf(value: unknown): unknown {
  if (value === undefined || value === '') return null;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) return null;
  return value;
}

function sortedBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
