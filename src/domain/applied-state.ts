// What Gatewire last applied to an API, read from its audit records: the baseline the drift report
// compares the live API with. Pure: the records come in (newest first), the baseline goes out.
//
// Only `succeeded` records count. A failed or rolled-back change applied nothing, and a `partial`
// or `interrupted` one left an unknown state (the drift report lists those separately). A record's
// `after` is the state Gatewire read right after its change, so it is what the change left behind.
import type { AuditRecord } from './audit.js';
import { isChangeAction } from './change-record.js';
import { integrationIdOfTarget, type Integration, type IntegrationResponse, type Route } from './model.js';

/** A route as Gatewire's last change of its route key left it. */
export interface AppliedRoute {
  routeKey: string;
  auditId: string;
  /** Absent when the record says nothing of the route (it was not there to read). */
  route?: Route;
  /** The integration the route targeted after the change. */
  integrationId?: string;
}

/** One integration response as Gatewire left it; `response: null` means Gatewire deleted it. */
export interface AppliedResponse {
  auditId: string;
  response: IntegrationResponse | null;
}

export interface AppliedResponses {
  /** The newest record that stated the integration's whole set of responses: keys outside it were added since. */
  wholeSetAuditId?: string;
  byKey: Map<string, AppliedResponse>;
}

/** An integration as Gatewire's last change of it left it. */
export interface AppliedIntegration {
  integrationId: string;
  /** The record the fields (or, without fields, the responses) come from. */
  auditId: string;
  /** Absent when only integration-response changes mention it. */
  integration?: Integration;
  /** Managed route keys whose applied state targets this integration. */
  routeKeys: string[];
  responses: AppliedResponses;
}

export interface AppliedState {
  routes: Map<string, AppliedRoute>;
  integrations: Map<string, AppliedIntegration>;
}

/** One thing a record says about a route, an integration or a response. */
type Statement =
  | { kind: 'route'; auditId: string; routeKey: string; route?: Route; integration?: Integration; responses: IntegrationResponse[] }
  | { kind: 'integration'; auditId: string; integration: Integration; responses?: IntegrationResponse[] }
  | { kind: 'response'; auditId: string; integrationId: string; responseKey: string; response: IntegrationResponse | null }
  /** After this record, older records no longer describe the integration (deleted or replaced). */
  | { kind: 'release'; auditId: string; integrationId: string };

/** The baseline from the API's audit records, newest first (records of other statuses are skipped). */
export function appliedStateOf(recordsNewestFirst: readonly AuditRecord[]): AppliedState {
  const statements = recordsNewestFirst.filter((record) => record.status === 'succeeded').flatMap(statementsOf);
  const routes = latestRoutes(statements);
  const releasedAt = releases(statements);
  const eligible = statements.filter((statement) => {
    const integrationId = integrationIdOfStatement(statement);
    const released = integrationId === undefined ? undefined : releasedAt.get(integrationId);
    return released === undefined || statement.auditId > released;
  });
  return { routes, integrations: appliedIntegrations(eligible, routes) };
}

function latestRoutes(statements: Statement[]): Map<string, AppliedRoute> {
  const routes = new Map<string, AppliedRoute>();
  for (const statement of statements) {
    if (statement.kind !== 'route' || routes.has(statement.routeKey)) continue;
    const integrationId = statement.integration?.integrationId ?? integrationIdOfTarget(statement.route?.target);
    routes.set(statement.routeKey, {
      routeKey: statement.routeKey,
      auditId: statement.auditId,
      ...(statement.route ? { route: statement.route } : {}),
      ...(integrationId ? { integrationId } : {}),
    });
  }
  return routes;
}

/**
 * When records stop describing an integration: it was deleted, or a newer change of a route that
 * targeted it moved the route elsewhere (Gatewire then deleted it unless another route shared it).
 * Ids are time-ordered, so "newer" is string order.
 */
function releases(statements: Statement[]): Map<string, string> {
  const releasedAt = new Map<string, string>();
  const release = (integrationId: string, auditId: string) => {
    if ((releasedAt.get(integrationId) ?? '') < auditId) releasedAt.set(integrationId, auditId);
  };
  const newerOfKey = new Map<string, Statement & { kind: 'route' }>();
  for (const statement of statements) {
    if (statement.kind === 'release') release(statement.integrationId, statement.auditId);
    if (statement.kind !== 'route') continue;
    const newer = newerOfKey.get(statement.routeKey);
    const integrationId = statement.integration?.integrationId;
    if (newer && integrationId && newer.integration?.integrationId !== integrationId) release(integrationId, newer.auditId);
    newerOfKey.set(statement.routeKey, statement);
  }
  return releasedAt;
}

function appliedIntegrations(statements: Statement[], routes: Map<string, AppliedRoute>): Map<string, AppliedIntegration> {
  const integrations = new Map<string, AppliedIntegration>();
  const wholeSetSeen = new Set<string>();
  const entry = (integrationId: string, auditId: string): AppliedIntegration => {
    let found = integrations.get(integrationId);
    if (!found) {
      found = { integrationId, auditId, routeKeys: [], responses: { byKey: new Map() } };
      integrations.set(integrationId, found);
    }
    return found;
  };
  for (const statement of statements) {
    if (statement.kind === 'release') continue;
    if (statement.kind === 'response') {
      const applied = entry(statement.integrationId, statement.auditId);
      if (!wholeSetSeen.has(statement.integrationId) && !applied.responses.byKey.has(statement.responseKey)) {
        applied.responses.byKey.set(statement.responseKey, { auditId: statement.auditId, response: statement.response });
      }
      continue;
    }
    const integration = statement.integration;
    if (!integration) continue;
    const applied = entry(integration.integrationId, statement.auditId);
    if (!applied.integration) {
      applied.integration = integration;
      applied.auditId = statement.auditId;
    }
    if (statement.responses && !wholeSetSeen.has(integration.integrationId)) {
      wholeSetSeen.add(integration.integrationId);
      applied.responses.wholeSetAuditId = statement.auditId;
      for (const response of statement.responses) {
        if (!applied.responses.byKey.has(response.integrationResponseKey)) {
          applied.responses.byKey.set(response.integrationResponseKey, { auditId: statement.auditId, response });
        }
      }
    }
  }
  for (const route of [...routes.values()].sort((a, b) => a.routeKey.localeCompare(b.routeKey))) {
    if (route.integrationId) integrations.get(route.integrationId)?.routeKeys.push(route.routeKey);
  }
  return integrations;
}

function integrationIdOfStatement(statement: Statement): string | undefined {
  switch (statement.kind) {
    case 'route':
    case 'integration':
      return statement.integration?.integrationId;
    case 'response':
      return statement.integrationId;
    case 'release':
      return undefined;
  }
}

/**
 * What one record says, by action (domain/change-record.ts says what each keeps). Records of
 * actions that apply nothing here (permissions.reconcile), or of an action this version does not
 * know, say nothing.
 */
function statementsOf(record: AuditRecord): Statement[] {
  const auditId = record.id;
  const after = record.after;
  const action = record.action;
  if (!isChangeAction(action)) return [];
  switch (action) {
    case 'route-integration.put':
    case 'route-integration.delete':
      if (!record.routeKey || !isObject(after) || 'unreadable' in after) return [];
      return [routeStatement(auditId, record.routeKey, after), ...releaseOf(auditId, record.before, after)];
    case 'routes.bulk-put': {
      const routes = isObject(after) && isObject(after.routes) ? after.routes : {};
      const before = isObject(record.before) && isObject(record.before.routes) ? record.before.routes : {};
      return Object.entries(routes)
        .filter((entry): entry is [string, Record<string, unknown>] => isObject(entry[1]))
        .flatMap(([routeKey, state]) => [routeStatement(auditId, routeKey, state), ...releaseOf(auditId, before[routeKey], state)]);
    }
    case 'integration.create':
    case 'integration.update': {
      const integration = asIntegration(after);
      if (!integration) return [];
      // A new integration has no responses yet: its whole set is empty.
      return [{ kind: 'integration', auditId, integration, ...(action === 'integration.create' ? { responses: [] } : {}) }];
    }
    case 'integration.delete':
      return record.integrationId ? [{ kind: 'release', auditId, integrationId: record.integrationId }] : [];
    case 'integration-response.put': {
      const response = asResponse(after);
      return record.integrationId && response
        ? [{ kind: 'response', auditId, integrationId: record.integrationId, responseKey: response.integrationResponseKey, response }]
        : [];
    }
    case 'integration-response.delete': {
      const responseKey = isObject(record.request) ? record.request.responseKey : undefined;
      return record.integrationId && typeof responseKey === 'string'
        ? [{ kind: 'response', auditId, integrationId: record.integrationId, responseKey, response: null }]
        : [];
    }
    case 'permissions.reconcile':
      return [];
    default:
      return unknownAction(action);
  }
}

/** Every action is handled above: a new one fails to compile until this reader is taught it. */
function unknownAction(action: never): Statement[] {
  void action;
  return [];
}

/** A replaced or unbound integration that no other route used: the change deleted it. */
function releaseOf(auditId: string, before: unknown, after: Record<string, unknown>): Statement[] {
  if (!isObject(before)) return [];
  const replaced = asIntegration(before.integration);
  const shared = Array.isArray(before.otherRoutesUsingIntegration) && before.otherRoutesUsingIntegration.length > 0;
  if (!replaced || shared || replaced.integrationId === asIntegration(after.integration)?.integrationId) return [];
  return [{ kind: 'release', auditId, integrationId: replaced.integrationId }];
}

function routeStatement(auditId: string, routeKey: string, state: Record<string, unknown>): Statement {
  const route = asRoute(state.route);
  const integration = asIntegration(state.integration);
  const responses = Array.isArray(state.integrationResponses)
    ? state.integrationResponses.map(asResponse).filter((response): response is IntegrationResponse => response !== undefined)
    : [];
  return { kind: 'route', auditId, routeKey, ...(route ? { route } : {}), ...(integration ? { integration } : {}), responses };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asRoute(value: unknown): Route | undefined {
  return isObject(value) && typeof value.routeId === 'string' && typeof value.routeKey === 'string' ? (value as unknown as Route) : undefined;
}

function asIntegration(value: unknown): Integration | undefined {
  return isObject(value) && typeof value.integrationId === 'string' ? (value as unknown as Integration) : undefined;
}

function asResponse(value: unknown): IntegrationResponse | undefined {
  return isObject(value) && typeof value.integrationResponseKey === 'string' ? (value as unknown as IntegrationResponse) : undefined;
}
