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

export interface LambdaPort {
  /** The ARN of a function in this account and region, qualified when `qualifier` is given. */
  resolveFunctionArn(functionName: string, qualifier?: string): Promise<string>;
}

/** One AWS call made during a change, for the audit record. */
export interface AwsCall {
  service: 'apigatewayv2' | 'lambda';
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
