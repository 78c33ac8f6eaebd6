// Plans: the ordered AWS calls a change needs, each with the call that undoes it (DESIGN §3).
// A plan is data: it is returned by a dry run, stored in the audit record, and run by the
// change runner. Ids that only exist once an earlier step has run are written `<step-id>`.

export type AwsOperation =
  | 'CreateRoute'
  | 'UpdateRoute'
  | 'DeleteRoute'
  | 'CreateIntegration'
  | 'UpdateIntegration'
  | 'DeleteIntegration'
  | 'CreateIntegrationResponse'
  | 'UpdateIntegrationResponse'
  | 'DeleteIntegrationResponse'
  | 'CreateRouteResponse'
  | 'DeleteRouteResponse'
  | 'AddPermission'
  | 'RemovePermission'
  | 'CreateDeployment';

export interface AwsCallSpec {
  operation: AwsOperation;
  /** Parameters in AWS wire names; id parameters may hold a `<step-id>` reference. */
  params: Record<string, unknown>;
}

export interface PlanStep extends AwsCallSpec {
  id: string;
  description: string;
  /** The call that undoes this step; absent when nothing can or needs to be undone. */
  compensation?: AwsCallSpec;
}

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
export function resolveReferences(params: Record<string, unknown>, createdIds: ReadonlyMap<string, string>): Record<string, unknown> {
  const resolved: Record<string, unknown> = { ...params };
  for (const name of ID_PARAMS) {
    const value = resolved[name];
    if (typeof value !== 'string') continue;
    resolved[name] = value.replace(STEP_REFERENCE, (whole, stepId: string) => {
      const id = createdIds.get(stepId);
      if (id === undefined) throw new Error(`Step ${stepId} has not created an id yet (plan order bug)`);
      return id;
    });
  }
  return resolved;
}

/**
 * The same steps with ids `${prefix}${id}`, references included, so that the plans of several
 * routes can run as one (bulk apply) without two steps sharing an id.
 */
export function prefixStepIds(steps: readonly PlanStep[], prefix: string, describe: (description: string) => string = (d) => d): PlanStep[] {
  const rename = (params: Record<string, unknown>) => {
    const renamed: Record<string, unknown> = { ...params };
    for (const name of ID_PARAMS) {
      const value = renamed[name];
      if (typeof value === 'string') renamed[name] = value.replace(STEP_REFERENCE, (_whole, stepId: string) => stepReference(prefix + stepId));
    }
    return renamed;
  };
  return steps.map((step) => ({
    ...step,
    id: prefix + step.id,
    description: describe(step.description),
    params: rename(step.params),
    ...(step.compensation ? { compensation: { ...step.compensation, params: rename(step.compensation.params) } } : {}),
  }));
}
