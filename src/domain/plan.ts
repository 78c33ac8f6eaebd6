// Plans: the ordered AWS calls a change needs, each with the call that undoes it (DESIGN §3).
// A plan is data: it is returned by a dry run, stored in the audit record, and run by the
// change runner. Ids that only exist once an earlier step has run are written `<step-id>`.

import type { IntegrationFields, IntegrationResponseFields, RouteFields } from './model.js';
import type { PermissionStatementInput } from './policy-statements.js';

// Each operation's parameters, in AWS wire names (lowerCamel, as the SDK's JSON protocol sends them;
// the SDK's own input types are PascalCase and live behind aws/, which the domain never imports).
// An id parameter may hold a `<step-id>` reference until the executor resolves it. `Wire` flattens
// each into a plain object type, so a step stays assignable to the JSON shape records and answers use.
type Wire<T> = { [K in keyof T]: T[K] };
export type CreateRouteParams = Wire<{ apiId: string; routeKey: string } & Omit<RouteFields, 'routeKey'>>;
export type UpdateRouteParams = Wire<{ apiId: string; routeId: string } & RouteFields>;
export type DeleteRouteParams = Wire<{ apiId: string; routeId: string }>;
export type CreateIntegrationParams = Wire<{ apiId: string } & IntegrationFields>;
export type UpdateIntegrationParams = Wire<{ apiId: string; integrationId: string } & Partial<IntegrationFields>>;
export type DeleteIntegrationParams = Wire<{ apiId: string; integrationId: string }>;
export type CreateIntegrationResponseParams = Wire<{ apiId: string; integrationId: string } & IntegrationResponseFields>;
export type UpdateIntegrationResponseParams = Wire<{ apiId: string; integrationId: string; integrationResponseId: string } & Partial<IntegrationResponseFields>>;
export type DeleteIntegrationResponseParams = Wire<{ apiId: string; integrationId: string; integrationResponseId: string }>;
export type CreateRouteResponseParams = Wire<{ apiId: string; routeId: string; routeResponseKey: string }>;
export type DeleteRouteResponseParams = Wire<{ apiId: string; routeId: string; routeResponseId: string }>;
/** `functionName` is the unqualified function ARN. */
export type AddPermissionParams = Wire<PermissionStatementInput>;
export type RemovePermissionParams = Wire<{ functionName: string; qualifier?: string; statementId: string }>;
export type CreateDeploymentParams = Wire<{ apiId: string; stageName: string; description: string }>;

/** The parameters of every operation a plan may hold: the one list the executor and the stored-plan reader follow. */
export interface ParamsOf {
  CreateRoute: CreateRouteParams;
  UpdateRoute: UpdateRouteParams;
  DeleteRoute: DeleteRouteParams;
  CreateIntegration: CreateIntegrationParams;
  UpdateIntegration: UpdateIntegrationParams;
  DeleteIntegration: DeleteIntegrationParams;
  CreateIntegrationResponse: CreateIntegrationResponseParams;
  UpdateIntegrationResponse: UpdateIntegrationResponseParams;
  DeleteIntegrationResponse: DeleteIntegrationResponseParams;
  CreateRouteResponse: CreateRouteResponseParams;
  DeleteRouteResponse: DeleteRouteResponseParams;
  AddPermission: AddPermissionParams;
  RemovePermission: RemovePermissionParams;
  CreateDeployment: CreateDeploymentParams;
}

export type AwsOperation = keyof ParamsOf;

/** One AWS call: an operation and its parameters, discriminated by `operation`. */
export type AwsCallSpec<Operation extends AwsOperation = AwsOperation> = {
  [O in Operation]: { operation: O; params: ParamsOf[O] };
}[Operation];

/**
 * The call that undoes each operation (never: nothing undoes it). A deletion that a later
 * failure never needs back (a replaced integration) simply has no compensation.
 */
export interface CompensationOf {
  CreateRoute: 'DeleteRoute';
  UpdateRoute: 'UpdateRoute';
  DeleteRoute: never;
  CreateIntegration: 'DeleteIntegration';
  UpdateIntegration: 'UpdateIntegration';
  DeleteIntegration: never;
  CreateIntegrationResponse: 'DeleteIntegrationResponse';
  UpdateIntegrationResponse: 'UpdateIntegrationResponse';
  DeleteIntegrationResponse: 'CreateIntegrationResponse';
  CreateRouteResponse: 'DeleteRouteResponse';
  DeleteRouteResponse: 'CreateRouteResponse';
  AddPermission: 'RemovePermission';
  RemovePermission: 'AddPermission';
  CreateDeployment: never;
}

export const COMPENSATION_OF: { readonly [O in AwsOperation]: CompensationOf[O] | undefined } = {
  CreateRoute: 'DeleteRoute',
  UpdateRoute: 'UpdateRoute',
  DeleteRoute: undefined,
  CreateIntegration: 'DeleteIntegration',
  UpdateIntegration: 'UpdateIntegration',
  DeleteIntegration: undefined,
  CreateIntegrationResponse: 'DeleteIntegrationResponse',
  UpdateIntegrationResponse: 'UpdateIntegrationResponse',
  DeleteIntegrationResponse: 'CreateIntegrationResponse',
  CreateRouteResponse: 'DeleteRouteResponse',
  DeleteRouteResponse: 'CreateRouteResponse',
  AddPermission: 'RemovePermission',
  RemovePermission: 'AddPermission',
  CreateDeployment: undefined,
};

export function isAwsOperation(value: unknown): value is AwsOperation {
  return typeof value === 'string' && Object.hasOwn(COMPENSATION_OF, value);
}

/** A step of a plan: one AWS call, and the call that undoes it (absent when nothing can or needs to be undone). */
export type PlanStep<Operation extends AwsOperation = AwsOperation> = {
  [O in Operation]: {
    id: string;
    description: string;
    operation: O;
    params: ParamsOf[O];
    compensation?: [CompensationOf[O]] extends [never] ? never : AwsCallSpec<CompensationOf[O]>;
  };
}[Operation];

/** Parameters that hold resource ids, the only ones in which `<step-id>` references resolve. */
export const ID_PARAMS = ['integrationId', 'routeId', 'integrationResponseId', 'routeResponseId', 'target'] as const;

const STEP_REFERENCE = /<([a-z0-9-]+)>/g;

export const DEPLOYMENT_STEP_ID = 'create-deployment';

/**
 * The last step of a change that names `deployStage`: a deployment of the API on that stage. It has
 * no compensation (a deployment cannot be taken back), and since it runs last, its failure rolls
 * the change back: the change reaches the stage, or does not happen.
 */
export function deploymentStep(apiId: string, stageName: string, description: string): PlanStep {
  return {
    id: DEPLOYMENT_STEP_ID,
    operation: 'CreateDeployment',
    params: { apiId, stageName, description },
    description: `Deploy API ${apiId} to stage ${stageName}`,
  };
}

export function stepReference(stepId: string): string {
  return `<${stepId}>`;
}

/** Replaces `<step-id>` references in id parameters with the ids those steps created. */
export function resolveReferences<Spec extends AwsCallSpec>(call: Spec, createdIds: ReadonlyMap<string, string>): Spec {
  return rewriteIds(call, (value) =>
    value.replace(STEP_REFERENCE, (_whole, stepId: string) => {
      const id = createdIds.get(stepId);
      if (id === undefined) throw new Error(`Step ${stepId} has not created an id yet (plan order bug)`);
      return id;
    }),
  );
}

/** The call with `rewrite` applied to its id parameters (the only ones references live in). */
function rewriteIds<Spec extends AwsCallSpec>(call: Spec, rewrite: (value: string) => string): Spec {
  const params: Record<string, unknown> = { ...call.params };
  for (const name of ID_PARAMS) {
    const value = params[name];
    if (typeof value === 'string') params[name] = rewrite(value);
  }
  // Only the values of string id fields changed: the parameters keep their operation's type.
  return { ...call, params } as Spec;
}

/**
 * The same steps with ids `${prefix}${id}`, references included, so that the plans of several
 * routes can run as one (bulk apply) without two steps sharing an id.
 */
export function prefixStepIds(steps: readonly PlanStep[], prefix: string, describe: (description: string) => string = (d) => d): PlanStep[] {
  const rename = (value: string) => value.replace(STEP_REFERENCE, (_whole, stepId: string) => stepReference(prefix + stepId));
  return steps.map((step) => {
    const renamed: PlanStep = { ...rewriteIds(step, rename), id: prefix + step.id, description: describe(step.description) };
    if (step.compensation) renamed.compensation = rewriteIds(step.compensation, rename);
    return renamed;
  });
}
