// The interfaces services depend on. `aws/` and `audit/` implement them; only the
// composition root (dependencies.ts) builds the implementations.
import type {
  Integration,
  IntegrationFields,
  IntegrationResponse,
  IntegrationResponseFields,
  Route,
  RouteFields,
  RouteResponse,
  WebSocketApi,
} from '../domain/model.js';
import type { PermissionStatementInput, PolicyStatement } from '../domain/policy-statements.js';
import type { AuditRecord, AuditFinal, AuditQuery, AuditPage, ChangeLease, PendingAudit, PendingChange } from '../domain/audit.js';
import type { JournalEntry } from '../domain/journal.js';

export type { RouteFields } from '../domain/model.js';

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
  /** The stage; throws not-found when the API has no such stage. */
  getStage(apiId: string, stageName: string): Promise<Stage>;
  /** Every stage of the API (GetStages, all pages). */
  listStages(apiId: string): Promise<Stage[]>;
  /** When a deployment was made (GetDeployment); throws not-found for an unknown id. */
  getDeployment(apiId: string, deploymentId: string): Promise<Deployment>;
  /**
   * Deploys the API on the stage and returns the deployment's id. Paced to AWS's one deployment per
   * 5 s per account within this instance; a 429 (another instance deployed) is waited out and retried.
   */
  createDeployment(apiId: string, stageName: string, description: string): Promise<{ deploymentId: string }>;
}

/** A stage as the change path needs it: whether it deploys itself, and what it serves now. */
export interface Stage {
  stageName: string;
  autoDeploy: boolean;
  deploymentId?: string;
}

/** A deployment: what a stage without autoDeploy runs is the API as it was at `createdDate`. */
export interface Deployment {
  deploymentId: string;
  /** ISO-8601 UTC. */
  createdDate: string;
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

/** A pending change another instance may take over, or one this change's API still has. */
export interface PendingChangeRef {
  id: string;
  apiId: string;
  /** The target the change acts in (issue 19); absent: `default`. */
  target?: string;
  /** Absent when released (handed over) or written before leases existed. */
  lease?: ChangeLease;
}

/**
 * The audit trail, and the journal and leases of the changes in it (DESIGN §3, §5). Every method
 * fails with DomainError('audit-unavailable') when the store does not answer; the methods an owner
 * calls while it runs a change fail with DomainError('lease-lost') when another instance owns it.
 */
export interface AuditStore {
  /** The pending record, with its plan, owner lease and deadline (or a bare pending record: no lease). */
  appendPending(record: PendingChange | PendingAudit): Promise<void>;
  /**
   * Commits journal entries as the owner of `lease`, renewing the lease to `lease.expiresAt` in the
   * same transaction: the entries are durable before the next AWS write starts.
   */
  appendJournal(id: string, lease: ChangeLease, entries: readonly JournalEntry[]): Promise<void>;
  /** Renews the owner's lease; lease-lost when it is not the owner any more. */
  renewLease(id: string, lease: ChangeLease): Promise<void>;
  /**
   * Hands the change over: commits `entries` (the hand-over event) and releases the lease, so that
   * any instance may take it over at once. lease-lost when it is not the owner any more.
   */
  releaseLease(id: string, owner: string, entries: readonly JournalEntry[]): Promise<void>;
  /**
   * Takes a pending change over when it has no owner, its lease expired before `now`, or it is
   * already `lease.owner`'s (a change that owner stopped running); false when another won.
   */
  takeOver(id: string, lease: ChangeLease, now: Date): Promise<boolean>;
  /** Pending changes with no owner or an expired lease, oldest first. */
  listTakeable(now: Date, limit: number): Promise<PendingChangeRef[]>;
  /** The pending changes of one API, oldest first. */
  listPending(apiId: string): Promise<PendingChangeRef[]>;
  /**
   * Pending -> final, once. With `owner`: only while that instance owns the change (lease-lost
   * otherwise), committing `journal` (the last entries) in the same transaction.
   */
  finalize(id: string, final: AuditFinal, options?: { owner?: string; journal?: readonly JournalEntry[] }): Promise<void>;
  /** The record with its journal. */
  get(id: string): Promise<AuditRecord | undefined>;
  list(query: AuditQuery): Promise<AuditPage>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The instances sharing one AWS call budget (issue 15, aws/budget-share.ts), kept in the audit
 * store so that every instance sharing the store sees the same members.
 */
export interface BudgetMembers {
  /**
   * Records `instance` as live in budget `key` until `expiresAt` and answers how many instances
   * are live at `now`, itself included.
   */
  beat(key: string, instance: string, now: Date, expiresAt: Date): Promise<number>;
  /** Removes `instance` (shutdown): the others take its share at their next beat. */
  leave(key: string, instance: string): Promise<void>;
}

/** A response kept for an Idempotency-Key, replayed as it was sent. */
export interface StoredResponse {
  status: number;
  contentType?: string;
  /** Headers a replay must repeat besides the content type (`etag`, `location`), lower-case names. */
  headers?: Record<string, string>;
  body: string;
}

/** One row of the idempotency store. Times are ISO-8601 UTC text. */
export interface IdempotencyEntry {
  /** The caller the key belongs to (`kind:id` of the authenticated actor). */
  caller: string;
  key: string;
  /** The request's fingerprint (domain/idempotency.ts). */
  requestHash: string;
  status: 'in_progress' | 'completed';
  response?: StoredResponse;
  /** When the request claimed the key; also the claim's token (see complete/release). */
  createdAt: string;
  expiresAt: string;
}

/** Which claim an update is for: the key and the `createdAt` of the row its request inserted. */
export type IdempotencyClaimRef = Pick<IdempotencyEntry, 'caller' | 'key' | 'createdAt'>;

/**
 * Storage for Idempotency-Key claims; every method is one atomic statement, so several instances
 * sharing one database never both hold a key. Failures are DomainError('audit-unavailable').
 */
export interface IdempotencyStore {
  /** Inserts an `in_progress` row unless the key has one (ON CONFLICT DO NOTHING); true when inserted. */
  insertIfAbsent(entry: IdempotencyEntry & { status: 'in_progress' }): Promise<boolean>;
  find(caller: string, key: string): Promise<IdempotencyEntry | undefined>;
  /**
   * Replaces `current` (an expired or abandoned row) with `next`, only if the row is still exactly
   * `current` (same status and createdAt): a compare-and-set, so one taker wins.
   */
  replace(current: IdempotencyEntry, next: IdempotencyEntry & { status: 'in_progress' }): Promise<boolean>;
  /** Marks the claim `completed` with its response; false when the row is no longer that claim. */
  complete(claim: IdempotencyClaimRef, response: StoredResponse): Promise<boolean>;
  /** Deletes the row if it is still that claim, in progress; false otherwise. */
  release(claim: IdempotencyClaimRef): Promise<boolean>;
  /** Deletes rows with `expiresAt <= now`; returns how many. */
  deleteExpired(now: Date): Promise<number>;
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

/**
 * Where a change handed over at the end of a Lambda invocation goes on: an asynchronous invocation
 * of the same function that takes it over (aws/lambda-continuation.ts). The server needs none: the
 * recovery sweep of any instance takes a released change over within seconds.
 */
export interface ContinuationPort {
  continueLater(changeId: string, apiId: string): Promise<void>;
}
