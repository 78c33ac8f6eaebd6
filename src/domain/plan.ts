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
  | 'RemovePermission';

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
