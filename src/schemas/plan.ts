// What a change did, or would do: the plan, the outcome and the audit record.
import * as Type from 'typebox';
import { ref } from './common.js';
import { Integration } from './integration.js';
import { IntegrationResponse } from './integration-response.js';
import { RouteIntegration } from './resources.js';
import { PLAN_STEP_EXAMPLE, CHANGE_SUMMARY_EXAMPLE } from './examples.js';

const AwsCallSpec = {
  operation: Type.String({ description: 'The API Gateway v2 operation.' }),
  params: Type.Record(Type.String(), Type.Unknown(), { description: 'Its parameters in AWS wire names; `<step-id>` is the id that step creates.' }),
};

export const PlanStep = Type.Object(
  {
    id: Type.String(),
    description: Type.String(),
    ...AwsCallSpec,
    compensation: Type.Optional(Type.Object(AwsCallSpec, { description: 'The call that undoes this step if a later one fails.' })),
  },
  { $id: 'PlanStep', title: 'PlanStep', examples: [PLAN_STEP_EXAMPLE] },
);

export const ChangeOutcome = Type.Enum(['planned', 'unchanged', 'applied'], {
  description: '`planned`: a dry run; `unchanged`: nothing to do; `applied`: AWS was changed.',
});

export const Deployment = Type.Object(
  {
    stageName: Type.String(),
    status: Type.Enum(['deployed', 'planned', 'auto-deploys', 'not-needed'], {
      description:
        '`deployed`: a new deployment now serves the change; `planned`: a dry run would deploy; `auto-deploys`: the stage deploys itself, Gatewire created none; `not-needed`: nothing changed, nothing deployed.',
    }),
    deploymentId: Type.Optional(Type.String({ description: 'The deployment created (`deployed`).' })),
  },
  {
    $id: 'Deployment',
    title: 'Deployment',
    description: 'What happened on `deployStage` (present when the request named one).',
    examples: [{ stageName: 'production', status: 'deployed', deploymentId: 'a1b2c3' }],
  },
);

const changeFields = {
  outcome: ChangeOutcome,
  plan: Type.Array(ref(PlanStep), { description: 'The ordered AWS calls (that ran, or would run).' }),
  auditId: Type.Optional(Type.String({ description: 'The audit record of this change.' })),
  auditComplete: Type.Boolean({
    description: 'False when AWS changed but the final audit write failed: the record stays pending until recovery.',
  }),
  deployment: Type.Optional(ref(Deployment)),
};

export const ChangeSummary = Type.Object(changeFields, { $id: 'ChangeSummary', title: 'ChangeSummary', examples: [CHANGE_SUMMARY_EXAMPLE] });

export const RouteIntegrationChange = Type.Object(
  { ...changeFields, routeIntegration: ref(RouteIntegration) },
  { $id: 'RouteIntegrationChange', title: 'RouteIntegrationChange' },
);

export const IntegrationChange = Type.Object(
  { ...changeFields, integration: Type.Optional(ref(Integration)) },
  { $id: 'IntegrationChange', title: 'IntegrationChange' },
);

export const IntegrationResponseChange = Type.Object(
  { ...changeFields, integrationResponse: Type.Optional(ref(IntegrationResponse)) },
  { $id: 'IntegrationResponseChange', title: 'IntegrationResponseChange' },
);
