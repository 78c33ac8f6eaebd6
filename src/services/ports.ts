// The interfaces services depend on. `aws/` and `audit/` implement them; only the
// composition root (dependencies.ts) builds the implementations.
import type {
  Integration,
  IntegrationFields,
  IntegrationResponse,
  IntegrationResponseFields,
  Route,
  RouteResponse,
  WebSocketApi,
} from '../domain/model.js';
import type { PermissionStatementInput, PolicyStatement } from '../domain/policy-statements.js';
import type { AuditRecord, AuditFinal, AuditQuery, AuditPage, PendingAudit } from '../domain/audit.js';

export interface RouteFields {
  routeKey?: string;
  target?: string;
  routeResponseSelectionExpression?: string;
}

export interface ApiGatewayPort {
  listApis(): Promise<WebSocketApi[]>;
  getApi(apiId: string): Promise<WebSocketApi>;
  listRoutes(apiId: string): Promise<Route[]>;
  createRoute(apiId: string, fields: RouteFields & { routeKey: string }): Promise<Route>;
  updateRoute(apiId: string, routeId: string, fields: RouteFields): Promise<Route>;
  deleteRoute(apiId: string, routeId: string): Promise<void>;
  listIntegrations(apiId: string): Promise<Integration[]>;
  getIntegration(apiId: string, integrationId: string): Promise<Integration>;
  createIntegration(apiId: string, fields: IntegrationFields): Promise<Integration>;
  updateIntegration(apiId: string, integrationId: string, fields: Partial<IntegrationFields>): Promise<Integration>;
  deleteIntegration(apiId: string, integrationId: string): Promise<void>;
  listIntegrationResponses(apiId: string, integrationId: string): Promise<IntegrationResponse[]>;
  createIntegrationResponse(
    apiId: string,
    integrationId: string,
    fields: IntegrationResponseFields,
  ): Promise<IntegrationResponse>;
  updateIntegrationResponse(
    apiId: string,
    integrationId: string,
    integrationResponseId: string,
    fields: Partial<IntegrationResponseFields>,
  ): Promise<IntegrationResponse>;
  deleteIntegrationResponse(apiId: string, integrationId: string, integrationResponseId: string): Promise<void>;
  listRouteResponses(apiId: string, routeId: string): Promise<RouteResponse[]>;
  createRouteResponse(apiId: string, routeId: string, routeResponseKey: string): Promise<RouteResponse>;
  deleteRouteResponse(apiId: string, routeId: string, routeResponseId: string): Promise<void>;
}

/** A function policy as GetPolicy returns it: the parsed statements and the revision to write against. */
export interface FunctionPolicy {
  statements: PolicyStatement[];
  revisionId: string;
}

/** AddPermission in Lambda's wire terms (lowerCamel); `functionName` is the unqualified function ARN. */
export interface AddPermissionInput extends PermissionStatementInput {
  /** Optimistic lock from GetPolicy; on a mismatch the adapter re-reads and retries. */
  revisionId?: string;
}

export interface LambdaPort {
  /** The ARN of a function in this account and region, qualified when `qualifier` is given. */
  resolveFunctionArn(functionName: string, qualifier?: string): Promise<string>;
  /**
   * The policy of the function (unqualified ARN) for `qualifier`; undefined when it has none (404).
   * Throws not-found when the function or qualifier does not exist.
   */
  getPolicy(functionArn: string, qualifier?: string): Promise<FunctionPolicy | undefined>;
  /**
   * Adds the statement, in the function's account. `already-present` when the Sid exists with exactly
   * this statement (a concurrent writer added it); a different statement under the Sid is a conflict.
   * "Update in progress" 409s and revision mismatches are retried (the latter after a fresh read).
   */
  addPermission(input: AddPermissionInput): Promise<{ outcome: 'added' | 'already-present' }>;
  /** Removes the statement; `absent` when there was nothing to remove (404). */
  removePermission(
    functionArn: string,
    qualifier: string | undefined,
    statementId: string,
    options?: { revisionId?: string },
  ): Promise<{ outcome: 'removed' | 'absent' }>;
  /** The account Gatewire runs as: GATEWIRE_ACCOUNT_ID, else STS GetCallerIdentity (memoized). */
  accountId(): Promise<string>;
  /** Whether Gatewire can write policies of functions in `accountId`: its own, or one with a configured role. */
  canManage(accountId: string): Promise<boolean>;
}

/** One AWS call made during a change, for the audit record. */
export interface AwsCall {
  service: 'apigatewayv2' | 'lambda' | 'sts';
  operation: string;
  requestId?: string;
  outcome: 'ok' | 'error';
  error?: string;
  httpStatus?: number;
  attempts?: number;
  durationMs: number;
}

export interface AwsCallLog {
  /** Runs `work`; every AWS call it makes (however deep) is appended to `calls`. */
  capture<T>(calls: AwsCall[], work: () => Promise<T>): Promise<T>;
}

export interface AuditStore {
  appendPending(record: PendingAudit): Promise<void>;
  finalize(id: string, final: AuditFinal): Promise<void>;
  get(id: string): Promise<AuditRecord | undefined>;
  list(query: AuditQuery): Promise<AuditPage>;
  /** Marks records pending since before `olderThan` as interrupted; returns how many. */
  markInterrupted(olderThan: Date): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface ApiLock {
  /** Runs `work` while holding the lock of `apiId`; changes to one API never overlap. */
  withLock<T>(apiId: string, work: () => Promise<T>): Promise<T>;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A time-ordered, unique id. */
  next(): string;
}
