// The invoke-permission report of an API (GET …/permissions) and the reconcile result.
import * as Type from 'typebox';
import { ref } from './common.js';
import { ChangeOutcome, Deployment, PlanStep } from './plan.js';
import { PERMISSION_REPORT_EXAMPLE } from './examples.js';

export const PermissionReport = Type.Object(
  {
    apiId: Type.String(),
    scope: Type.Enum(['api', 'route'], { description: 'One statement per function per API, or per route (GATEWIRE_PERMISSION_SCOPE).' }),
    items: Type.Array(
      Type.Object({
        integrationId: Type.String(),
        routeKeys: Type.Array(Type.String()),
        functionArn: Type.String(),
        qualifier: Type.Optional(Type.String()),
        sourceArn: Type.String(),
        statementId: Type.String({ description: "Gatewire's statement id for this need." }),
        status: Type.Enum(['ok', 'missing', 'unmanaged', 'unverifiable'], {
          description:
            "`ok`: Gatewire's statement grants it; `missing`: nothing does; `unmanaged`: someone else's statement grants it (left alone); `unverifiable`: the function is in another account with no configured role.",
        }),
        command: Type.Optional(Type.String({ description: 'For `unverifiable`: the `aws lambda add-permission` call to run in that account.' })),
      }),
    ),
    stale: Type.Array(
      Type.Object({ functionArn: Type.String(), qualifier: Type.Optional(Type.String()), statementId: Type.String() }),
      { description: 'Gatewire statements of this API that no integration needs any more, and no deployed stage may still need: reconcile removes them.' },
    ),
    kept: Type.Array(
      Type.Object({
        functionArn: Type.String(),
        qualifier: Type.Optional(Type.String()),
        statementId: Type.String(),
        unusedSince: Type.String({ format: 'date-time', description: 'When the working configuration stopped needing it (from the audit trail).' }),
        stages: Type.Array(
          Type.Object({
            stageName: Type.String(),
            deploymentId: Type.String(),
            deployedAt: Type.String({ format: 'date-time', description: "When the stage's current deployment was made." }),
          }),
          { description: 'The stages without autoDeploy whose current deployment predates `unusedSince`.' },
        ),
      }),
      {
        description:
          'Gatewire statements no integration needs any more, kept because a stage without autoDeploy still runs a deployment made before that: removed (by reconcile, or a change that deploys those stages) once every such stage has been deployed since.',
      },
    ),
    manual: Type.Array(
      Type.Object({
        integrationId: Type.String(),
        functionArn: Type.String(),
        qualifier: Type.Optional(Type.String()),
        stageVariables: Type.Array(Type.String()),
        command: Type.String(),
      }),
      { description: 'Lambda URIs that use stage variables: grant one statement per value the variables take.' },
    ),
  },
  { $id: 'PermissionReport', title: 'PermissionReport', examples: [PERMISSION_REPORT_EXAMPLE] },
);

export const PermissionReconcileResult = Type.Object(
  {
    outcome: ChangeOutcome,
    plan: Type.Array(ref(PlanStep)),
    auditId: Type.Optional(Type.String()),
    auditComplete: Type.Boolean(),
    deployment: Type.Optional(ref(Deployment)),
    report: ref(PermissionReport),
  },
  { $id: 'PermissionReconcileResult', title: 'PermissionReconcileResult' },
);
