// Lambda invoke permissions (DESIGN §4, reference §4 and §5): what each Lambda integration of an API
// needs in its function's policy, whether a policy grants it, and the AddPermission /
// RemovePermission steps that make the policies match. Pure: no I/O.
import { createHash } from 'node:crypto';
import { conflict } from './errors.js';
import {
  LATEST_QUALIFIER,
  parseLambdaInvocationUri,
  partitionOfRegion,
  STAGE_VARIABLE_SOURCE,
  type LambdaInvocationUri,
} from './lambda-reference.js';
import type { IntegrationFields } from './model.js';
import type { PlanStep, RemovePermissionParams } from './plan.js';

/** A step of the permission stage: a statement added, or one removed. */
export type PermissionStep = PlanStep<'AddPermission' | 'RemovePermission'>;
import {
  APIGATEWAY_PRINCIPAL,
  INVOKE_ACTION,
  permissionInputOf,
  policySizeBytes,
  POLICY_SIZE_LIMIT,
  qualifiedArn,
  statementFor,
  statementGrants,
  type PermissionStatementInput,
  type PolicyStatement,
} from './policy-statements.js';

export type PermissionScope = 'api' | 'route';

/** Statements whose Sid starts with this are Gatewire's; all others are never changed (DESIGN §4). */
export const GATEWIRE_SID_PREFIX = 'gatewire-';
/** Lambda's StatementId rule for AddPermission (reference §4). */
export const STATEMENT_ID_PATTERN = /^[a-zA-Z0-9_-]{1,100}$/;

/** What every Lambda integration's permission is about: the function, the API and the source ARN. */
interface PermissionTarget {
  /** Unqualified function ARN. */
  functionArn: string;
  functionName: string;
  /** The alias or version of the integration URI; the statement goes on exactly that qualifier. */
  qualifier?: string;
  /** The function's account. */
  accountId: string;
  /** The function's region. */
  region: string;
  apiId: string;
  apiAccountId: string;
  /** `arn:{partition}:execute-api:{apiRegion}:{apiAccount}:{apiId}/*` or `…/*\/{routeKey}`. */
  sourceArn: string;
  scope: PermissionScope;
  /** Set for route scope. */
  routeKey?: string;
}

/** What one Lambda integration needs in its function's policy. */
export interface PermissionNeed extends PermissionTarget {
  kind: 'function';
  sid: string;
}

/**
 * A Lambda integration whose function name or qualifier is a stage variable: it cannot be granted ahead
 * of time (reference §5), only reported, with the statement to add per value the variable takes.
 * Its functionArn is the unqualified ARN as written, e.g. `…:function:${stageVariables.fn}`.
 */
export interface StageVariablePermission extends PermissionTarget {
  kind: 'stage-variable';
  /** The stage variables the URI uses, e.g. `['alias']`. */
  stageVariables: string[];
}

export interface PermissionContext {
  apiId: string;
  apiAccountId: string;
  apiRegion: string;
  scope: PermissionScope;
  /** Required for route scope: the route that targets the integration. */
  routeKey?: string;
}

export type PermissionStatus = 'ok' | 'unmanaged' | 'missing' | 'unverifiable';

/** A function's policy as read with GetPolicy; `undefined` in a policy map means "none" (404). */
export interface FunctionPolicyState {
  statements: PolicyStatement[];
  revisionId?: string;
}

/** Policies by `policyKey(functionArn, qualifier)` (the qualified ARN). */
export type PolicyMap = ReadonlyMap<string, FunctionPolicyState | undefined>;

/** A Gatewire statement of this API that no need matches. */
export interface StaleStatement {
  functionArn: string;
  qualifier?: string;
  accountId: string;
  sid: string;
  statement: PolicyStatement;
}

export interface UnverifiablePermission {
  need: PermissionNeed;
  /** The `aws lambda add-permission` call to run in the function's account. */
  command: string;
}

/**
 * A stage as the stage rule (DESIGN §4) needs it: a stage without autoDeploy runs the API as it was
 * when its current deployment was made.
 */
export interface StageDeployment {
  stageName: string;
  autoDeploy: boolean;
  /** The stage's current deployment; absent when nothing was ever deployed on it (it runs nothing). */
  deployment?: { deploymentId: string; createdDate: string };
}

/** A stage that may still run an integration needing a statement: deployed before the statement stopped being needed. */
export interface StageHold {
  stageName: string;
  deploymentId: string;
  /** ISO-8601 UTC: when the stage's current deployment was made. */
  deployedAt: string;
}

/** A Gatewire statement the working configuration no longer needs, kept because a deployed stage may. */
export interface KeptStatement extends StaleStatement {
  /** ISO-8601 UTC: when the working configuration stopped needing it. */
  unusedSince: string;
  stages: StageHold[];
}

/** What decides whether a statement nothing needs any more may go yet. */
export interface StageHoldInput {
  /**
   * When the working configuration stopped needing each statement, by `statementKey`; a statement
   * with no entry is one whose end of use nobody recorded (changed outside Gatewire): no stage holds it.
   */
  unusedSince: ReadonlyMap<string, string>;
  /**
   * Deployments the change that let a statement go made after its API Gateway steps, by
   * `statementKey`: a stage still on one of them runs the configuration without the statement.
   */
  deployedWithRelease?: ReadonlyMap<string, readonly string[]>;
  stages: readonly StageDeployment[];
  /** A stage the change deploys after its API Gateway steps (and before its removals): it holds nothing. */
  deploying?: string;
}

export interface PermissionPlan {
  adds: PermissionStep[];
  removes: PlanStep<'RemovePermission'>[];
  /** Statements no integration needs that stay for a deployed stage (DESIGN §4). */
  kept: KeptStatement[];
  /** Needs in accounts Gatewire cannot act in: reported with the call to make there. */
  unverifiable: UnverifiablePermission[];
  /** Stage-variable integrations: reported, never granted ahead of time. */
  manual: StageVariablePermission[];
}

const STAGE_VARIABLE_NAME = new RegExp(STAGE_VARIABLE_SOURCE.replace(String.raw`[A-Za-z0-9_]+`, String.raw`([A-Za-z0-9_]+)`), 'g');

/**
 * What `integration` needs from its function's policy, or undefined when it needs nothing: not a Lambda
 * integration, or one that carries `credentialsArn` (caller credentials or a role, reference §5).
 */
export function permissionNeedOf(
  integration: Pick<IntegrationFields, 'integrationType' | 'integrationUri' | 'credentialsArn'>,
  ctx: PermissionContext,
): PermissionNeed | StageVariablePermission | undefined {
  if (integration.integrationType !== 'AWS_PROXY' && integration.integrationType !== 'AWS') return undefined;
  if (integration.credentialsArn !== undefined && integration.credentialsArn !== '') return undefined;
  const uri = parseLambdaInvocationUri(integration.integrationUri ?? '');
  if (!uri) return undefined;
  if (ctx.scope === 'route' && ctx.routeKey === undefined) {
    throw new Error('permissionNeedOf: route scope needs the route key of the route that targets the integration');
  }
  const { functionArn, qualifier } = policyOwnerOf(uri);
  const base = {
    functionArn,
    functionName: uri.name,
    ...(qualifier !== undefined ? { qualifier } : {}),
    accountId: uri.accountId,
    region: uri.region,
    apiId: ctx.apiId,
    apiAccountId: ctx.apiAccountId,
    sourceArn: sourceArnFor(ctx),
    scope: ctx.scope,
    ...(ctx.scope === 'route' ? { routeKey: ctx.routeKey! } : {}),
  };
  if (uri.usesStageVariables) {
    const names = [...uri.functionArn.matchAll(STAGE_VARIABLE_NAME)].map((match) => match[1]!);
    return { kind: 'stage-variable', ...base, stageVariables: [...new Set(names)] };
  }
  const need: PermissionNeed = { kind: 'function', ...base, sid: '' };
  need.sid = statementSid(need);
  return need;
}

/** The function (unqualified ARN) and qualifier whose policy must grant an invocation URI. */
export function policyOwnerOf(uri: Pick<LambdaInvocationUri, 'functionArn' | 'qualifier'>): { functionArn: string; qualifier?: string } {
  const functionArn = uri.qualifier === undefined ? uri.functionArn : uri.functionArn.slice(0, -(uri.qualifier.length + 1));
  // Lambda refuses statements on $LATEST: the unqualified function's policy is the one that applies.
  return uri.qualifier === undefined || uri.qualifier === LATEST_QUALIFIER ? { functionArn } : { functionArn, qualifier: uri.qualifier };
}

/**
 * The need of a stage-variable integration for one stage's variables, or undefined when a variable is
 * not set there or its value does not make a function name / qualifier.
 */
export function resolveStageVariables(
  permission: StageVariablePermission,
  variables: Readonly<Record<string, string>>,
): PermissionNeed | undefined {
  let unresolved = false;
  const substitute = (text: string): string =>
    text.replace(STAGE_VARIABLE_NAME, (_whole, name: string) => {
      const value = variables[name];
      if (value === undefined) unresolved = true;
      return value ?? '';
    });
  const functionName = substitute(permission.functionName);
  const qualifier = permission.qualifier === undefined ? undefined : substitute(permission.qualifier);
  if (unresolved || !/^[a-zA-Z0-9_-]{1,64}$/.test(functionName)) return undefined;
  if (qualifier !== undefined && !/^[a-zA-Z0-9_-]{1,128}$/.test(qualifier)) return undefined;
  const { stageVariables: _names, kind: _kind, ...rest } = permission;
  const need: PermissionNeed = {
    ...rest,
    kind: 'function',
    functionName,
    functionArn: permission.functionArn.slice(0, permission.functionArn.lastIndexOf(':') + 1) + functionName,
    sid: '',
  };
  if (qualifier === undefined) delete need.qualifier;
  else need.qualifier = qualifier;
  need.sid = statementSid(need);
  return need;
}

/** The execute-api source ARN of the statement: the whole API, or one route (any stage). */
export function sourceArnFor(ctx: Pick<PermissionContext, 'apiId' | 'apiAccountId' | 'apiRegion' | 'scope' | 'routeKey'>): string {
  const api = `arn:${partitionOfRegion(ctx.apiRegion)}:execute-api:${ctx.apiRegion}:${ctx.apiAccountId}:${ctx.apiId}`;
  return ctx.scope === 'route' ? `${api}/*/${ctx.routeKey ?? ''}` : `${api}/*`;
}

/**
 * The statement id: `gatewire-{apiId}-api[-{qualifier}]` or `gatewire-{apiId}-r-{routeKey}[-{qualifier}]`.
 * Parts that are not plain letters and digits (route keys such as `$connect`) or that would break the
 * 100-character limit are replaced by a sha256 prefix, so the id is deterministic, unique per need
 * within one policy, and within Lambda's `[a-zA-Z0-9-_]{1,100}`.
 */
export function statementSid(need: Pick<PermissionNeed, 'apiId' | 'scope' | 'routeKey' | 'qualifier'>): string {
  const apiPart = /^[a-zA-Z0-9]{1,20}$/.test(need.apiId) ? need.apiId : `h${digest(need.apiId, 16)}`;
  let scopePart = 'api';
  if (need.scope === 'route') {
    const routeKey = need.routeKey ?? '';
    scopePart = /^[a-zA-Z0-9]{1,40}$/.test(routeKey) ? `r-${routeKey}` : `x-${digest(routeKey, 20)}`;
  }
  const prefix = `${apiPart}-${scopePart}`;
  if (need.qualifier === undefined) return `${GATEWIRE_SID_PREFIX}${prefix}`;
  const plain = `${GATEWIRE_SID_PREFIX}${prefix}-${need.qualifier}`;
  if (plain.length <= 100 && STATEMENT_ID_PATTERN.test(plain)) return plain;
  return `${GATEWIRE_SID_PREFIX}${prefix}-q${digest(need.qualifier, 16)}`;
}

/** True for a statement id Gatewire wrote for this API (whatever its scope and qualifier). */
export function isApiSid(sid: string, apiId: string): boolean {
  const apiPart = /^[a-zA-Z0-9]{1,20}$/.test(apiId) ? apiId : `h${digest(apiId, 16)}`;
  return sid.startsWith(`${GATEWIRE_SID_PREFIX}${apiPart}-`);
}

export function isGatewireStatement(statement: PolicyStatement): boolean {
  return typeof statement.Sid === 'string' && statement.Sid.startsWith(GATEWIRE_SID_PREFIX);
}

/** The key of a need's policy in a `PolicyMap`: the qualified function ARN. */
export function policyKey(functionArn: string, qualifier?: string): string {
  return qualifiedArn(functionArn, qualifier);
}

/** True when `statement` grants `need` (Allow, API Gateway, invoke, this exact ARN, a covering SourceArn). */
export function grantsNeed(statement: PolicyStatement, need: PermissionNeed): boolean {
  return statementGrants(statement, {
    resourceArn: qualifiedArn(need.functionArn, need.qualifier),
    sourceArn: need.sourceArn,
    sourceAccount: need.apiAccountId,
  });
}

/**
 * `ok` when a Gatewire statement grants the need, `unmanaged` when only someone else's does, `missing`
 * otherwise; `unverifiable` when Gatewire cannot act in the function's account (`canManage` false).
 */
export function classifyPermission(
  need: PermissionNeed,
  statements: readonly PolicyStatement[],
  options: { canManage?: boolean } = {},
): PermissionStatus {
  if (options.canManage === false) return 'unverifiable';
  const granting = statements.filter((statement) => grantsNeed(statement, need));
  if (granting.some(isGatewireStatement)) return 'ok';
  return granting.length > 0 ? 'unmanaged' : 'missing';
}

/** Gatewire statements of `apiId` in `policies` that no need of `needs` matches (same policy and Sid). */
export function staleStatements(apiId: string, needs: readonly PermissionNeed[], policies: PolicyMap): StaleStatement[] {
  const wanted = new Set(needs.map(needKey));
  const stale: StaleStatement[] = [];
  for (const [key, policy] of policies) {
    for (const statement of policy?.statements ?? []) {
      const sid = statement.Sid;
      if (typeof sid !== 'string' || !isApiSid(sid, apiId) || wanted.has(`${key}#${sid}`)) continue;
      const target = splitPolicyKey(key);
      stale.push({ ...target, sid, statement });
    }
  }
  return stale;
}

/** The key of a statement within the policies of an API: its policy and its Sid. */
export function statementKey(statement: Pick<StaleStatement, 'functionArn' | 'qualifier' | 'sid'>): string {
  return `${policyKey(statement.functionArn, statement.qualifier)}#${statement.sid}`;
}

/**
 * The stages that may still run an integration needing a statement unused since `unusedSince`: those
 * without autoDeploy (an autoDeploy stage deployed with the change) whose current deployment was made
 * before then, other than the one the change deploys and those still on a deployment the releasing
 * change made (`deployedWithRelease`). Unknown `unusedSince`: none.
 */
export function stagesHolding(
  unusedSince: string | undefined,
  stages: readonly StageDeployment[],
  deploying?: string,
  deployedWithRelease: readonly string[] = [],
): StageHold[] {
  if (unusedSince === undefined) return [];
  const since = Date.parse(unusedSince);
  return stages
    .filter((stage) => !stage.autoDeploy && stage.stageName !== deploying && stage.deployment !== undefined)
    .filter((stage) => Date.parse(stage.deployment!.createdDate) < since && !deployedWithRelease.includes(stage.deployment!.deploymentId))
    .map((stage) => ({ stageName: stage.stageName, deploymentId: stage.deployment!.deploymentId, deployedAt: stage.deployment!.createdDate }));
}

/** Statements nothing needs, split into those that may go now and those a deployed stage still holds. */
export function holdForStages(stale: readonly StaleStatement[], holds: StageHoldInput | undefined): { remove: StaleStatement[]; kept: KeptStatement[] } {
  const remove: StaleStatement[] = [];
  const kept: KeptStatement[] = [];
  for (const statement of stale) {
    const key = statementKey(statement);
    const unusedSince = holds?.unusedSince.get(key);
    const stages = holds ? stagesHolding(unusedSince, holds.stages, holds.deploying, holds.deployedWithRelease?.get(key)) : [];
    if (stages.length === 0) remove.push(statement);
    else kept.push({ ...statement, unusedSince: unusedSince!, stages });
  }
  return { remove, kept };
}

/** The distinct policies (function and qualifier) planning needs read, for the needs Gatewire can act on. */
export function policyTargets(needs: readonly PermissionNeed[]): { functionArn: string; qualifier?: string; accountId: string }[] {
  const targets = new Map<string, { functionArn: string; qualifier?: string; accountId: string }>();
  for (const need of needs) {
    const key = policyKey(need.functionArn, need.qualifier);
    if (!targets.has(key)) {
      targets.set(key, {
        functionArn: need.functionArn,
        ...(need.qualifier !== undefined ? { qualifier: need.qualifier } : {}),
        accountId: need.accountId,
      });
    }
  }
  return [...targets.values()];
}

export interface PermissionPlanInput {
  apiId: string;
  needsBefore: readonly (PermissionNeed | StageVariablePermission)[];
  needsAfter: readonly (PermissionNeed | StageVariablePermission)[];
  /**
   * The current policy of every function and qualifier of `needsBefore` and `needsAfter` in an account
   * Gatewire can act in (a missing entry is a bug and throws; `undefined` means GetPolicy said 404).
   * Gatewire statements of this API in any policy given here and needed by nothing after are removed.
   */
  policies: PolicyMap;
  /** Whether Gatewire can write policies in an account (its own, or one with a configured role). Default: yes. */
  canManage?: (accountId: string) => boolean;
  /** Step id prefix, for plans that hold several permission sections. */
  stepIdPrefix?: string;
  /** Deployed stages that may still need statements nothing needs after the change (DESIGN §4); absent: none. */
  holds?: StageHoldInput;
}

/**
 * The permission steps of a change: AddPermission for every distinct need after it that is `missing`
 * (none for `unmanaged`), then RemovePermission for every Gatewire statement of this API no need after
 * it matches and no deployed stage still holds (`holds`; those are `kept`). Refuses (409 conflict),
 * before any write, a change that would push a policy over Lambda's 20 KB cap. Adds come first so that a retarget never leaves a window without permission.
 */
export function planPermissionSteps(input: PermissionPlanInput): PermissionPlan {
  const canManage = input.canManage ?? (() => true);
  const manual = uniqueBy(
    input.needsAfter.filter((need): need is StageVariablePermission => need.kind === 'stage-variable'),
    (need) => `${qualifiedArn(need.functionArn, need.qualifier)}#${need.sourceArn}`,
  );
  const after = uniqueBy(
    input.needsAfter.filter((need): need is PermissionNeed => need.kind === 'function'),
    needKey,
  );
  const before = input.needsBefore.filter((need): need is PermissionNeed => need.kind === 'function');
  const manageable = after.filter((need) => canManage(need.accountId));
  const unverifiable = after
    .filter((need) => !canManage(need.accountId))
    .map((need) => ({ need, command: addPermissionCommand(need) }));

  for (const need of [...before, ...after]) {
    if (!canManage(need.accountId)) continue;
    const key = policyKey(need.functionArn, need.qualifier);
    if (!input.policies.has(key)) throw new Error(`planPermissionSteps: the policy of ${key} was not read`);
  }

  const prefix = input.stepIdPrefix ?? '';
  const adds: PermissionStep[] = [];
  const replaced: StaleStatement[] = [];
  const addedByPolicy = new Map<string, PolicyStatement[]>();
  let addCount = 0;
  const wanted = new Set(manageable.map(needKey));
  for (const need of manageable) {
    const key = policyKey(need.functionArn, need.qualifier);
    const statements = input.policies.get(key)?.statements ?? [];
    // Only statements that stay count: this API's Gatewire statements no need wants are about to go
    // (e.g. the API-wide statement after a switch to route scope).
    const staying = statements.filter((statement) => !isApiSid(statement.Sid ?? '', input.apiId) || wanted.has(`${key}#${statement.Sid}`));
    if (classifyPermission(need, staying) !== 'missing') continue;
    // Our Sid already names a statement that does not grant the need (edited by hand?): it has to go
    // first, or AddPermission would answer "already exists".
    const squatter = statements.find((statement) => statement.Sid === need.sid);
    if (squatter) {
      const entry: StaleStatement = { ...splitPolicyKey(key), sid: need.sid, statement: squatter };
      replaced.push(entry);
      adds.push(removeStep(`${prefix}replace-permission-${replaced.length}`, entry, input.apiId));
    }
    const params = permissionInput(need);
    adds.push({
      id: `${prefix}add-permission-${++addCount}`,
      operation: 'AddPermission',
      description: `Allow API ${need.apiId} to invoke ${qualifiedArn(need.functionArn, need.qualifier)} (${need.sourceArn})`,
      params: { ...params },
      compensation: { operation: 'RemovePermission', params: removeParams(params) },
    });
    addedByPolicy.set(key, [...(addedByPolicy.get(key) ?? []), statementFor(params)]);
  }

  checkPolicySizes(input.policies, addedByPolicy, replaced);

  const { remove, kept } = holdForStages(
    staleStatements(input.apiId, manageable, input.policies).filter((statement) => canManage(statement.accountId)),
    input.holds,
  );
  const removes = remove.map((statement, index) => removeStep(`${prefix}remove-permission-${index + 1}`, statement, input.apiId));
  return { adds, removes, kept, unverifiable, manual };
}

function removeStep(id: string, stale: StaleStatement, apiId: string): PlanStep<'RemovePermission'> {
  const readd = permissionInputOf(stale.statement);
  const step: PlanStep<'RemovePermission'> = {
    id,
    operation: 'RemovePermission',
    description: `Remove Gatewire statement ${stale.sid} of API ${apiId} from ${qualifiedArn(stale.functionArn, stale.qualifier)}`,
    params: {
      functionName: stale.functionArn,
      ...(stale.qualifier !== undefined ? { qualifier: stale.qualifier } : {}),
      statementId: stale.sid,
    },
  };
  // Undoing a removal re-adds the same statement, when AddPermission can express it.
  if (readd) step.compensation = { operation: 'AddPermission', params: { ...readd } };
  return step;
}

/** AddPermission's parameters for a need (Lambda wire names, lowerCamel). */
export function permissionInput(need: PermissionNeed): PermissionStatementInput {
  return {
    functionName: need.functionArn,
    ...(need.qualifier !== undefined ? { qualifier: need.qualifier } : {}),
    statementId: need.sid,
    action: INVOKE_ACTION,
    principal: APIGATEWAY_PRINCIPAL,
    sourceArn: need.sourceArn,
  };
}

/** The `aws lambda add-permission` call that grants `need`, to run with credentials of the function's account. */
export function addPermissionCommand(need: PermissionNeed): string {
  const args = [
    'aws lambda add-permission',
    `--function-name ${shellQuote(need.functionArn)}`,
    `--statement-id ${shellQuote(need.sid)}`,
    `--action ${INVOKE_ACTION}`,
    `--principal ${APIGATEWAY_PRINCIPAL}`,
    `--source-arn ${shellQuote(need.sourceArn)}`,
  ];
  if (need.qualifier !== undefined) args.push(`--qualifier ${shellQuote(need.qualifier)}`);
  args.push(`--region ${need.region}`);
  return args.join(' ');
}

/**
 * The same call for a stage-variable integration, with `<name>` where a stage variable's value goes and
 * `<statement-id>` for the Sid (resolveStageVariables gives the exact call for one stage).
 */
export function stageVariableCommand(permission: StageVariablePermission): string {
  const placeholder = (text: string): string => text.replace(STAGE_VARIABLE_NAME, (_whole, name: string) => `<${name}>`);
  const args = [
    'aws lambda add-permission',
    `--function-name ${shellQuote(placeholder(permission.functionArn))}`,
    `--statement-id '<statement-id>'`,
    `--action ${INVOKE_ACTION}`,
    `--principal ${APIGATEWAY_PRINCIPAL}`,
    `--source-arn ${shellQuote(permission.sourceArn)}`,
  ];
  if (permission.qualifier !== undefined) args.push(`--qualifier ${shellQuote(placeholder(permission.qualifier))}`);
  args.push(`--region ${permission.region}`);
  return args.join(' ');
}

function checkPolicySizes(policies: PolicyMap, added: Map<string, PolicyStatement[]>, replaced: readonly StaleStatement[]): void {
  for (const [key, statements] of added) {
    const replacedSids = new Set(replaced.filter((entry) => policyKey(entry.functionArn, entry.qualifier) === key).map((entry) => entry.sid));
    const current = (policies.get(key)?.statements ?? []).filter((statement) => !replacedSids.has(statement.Sid ?? ''));
    const projected = policySizeBytes([...current, ...statements]);
    if (projected > POLICY_SIZE_LIMIT) {
      throw conflict(
        `Adding ${statements.length} permission statement${statements.length === 1 ? '' : 's'} to the policy of ${key} ` +
          `would make it ${projected} bytes, over Lambda's limit of ${POLICY_SIZE_LIMIT} bytes. Nothing was changed. ` +
          'Set GATEWIRE_PERMISSION_SCOPE=api (one statement per function and API) or remove statements from the policy.',
      );
    }
  }
}

function removeParams(params: PermissionStatementInput): RemovePermissionParams {
  return {
    functionName: params.functionName,
    ...(params.qualifier !== undefined ? { qualifier: params.qualifier } : {}),
    statementId: params.statementId,
  };
}

function needKey(need: PermissionNeed): string {
  return statementKey(need);
}

function splitPolicyKey(key: string): { functionArn: string; qualifier?: string; accountId: string } {
  // arn:{partition}:lambda:{region}:{account}:function:{name}[:{qualifier}]
  const parts = key.split(':');
  const functionArn = parts.slice(0, 7).join(':');
  const accountId = parts[4] ?? '';
  return parts.length > 7 ? { functionArn, qualifier: parts.slice(7).join(':'), accountId } : { functionArn, accountId };
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

function digest(text: string, length: number): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, length);
}

function shellQuote(value: string): string {
  return /^[a-zA-Z0-9_\-:/.=@,+]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
