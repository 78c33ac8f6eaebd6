// The drift report of an API (GET …/drift): the live state against what Gatewire last applied.
import * as Type from 'typebox';
import { DRIFT_KINDS } from '../domain/drift.js';
import { AUDIT_STATUSES } from './audit.js';
import { DRIFT_REPORT_EXAMPLE } from './examples.js';
import { PermissionReport } from './permission.js';

const DriftItem = Type.Object(
  {
    kind: Type.Enum([...DRIFT_KINDS], {
      description:
        '`route-deleted`; `route-changed` (its `target`: rebound or unbound, or its `routeResponseSelectionExpression`); `integration-deleted`; `integration-changed` (one caller-controlled field); `integration-response-deleted`, `-changed` (one field) or `-added`.',
    }),
    routeKey: Type.Optional(Type.String({ description: 'Route items: the route.' })),
    integrationId: Type.Optional(Type.String({ description: 'Integration and response items: the integration.' })),
    routeKeys: Type.Optional(
      Type.Array(Type.String(), { description: "Integration items: the routes whose applied state targets the integration." }),
    ),
    responseKey: Type.Optional(Type.String({ description: 'Response items: the integration response key.' })),
    field: Type.String({ description: 'The field that differs, or `route` / `integration` / `response` when the whole resource is gone or new.' }),
    applied: Type.Unknown({ description: 'What Gatewire applied (null: nothing).' }),
    live: Type.Unknown({ description: 'What AWS holds now (null: nothing).' }),
    auditId: Type.String({ description: 'The audit record the applied value comes from.' }),
  },
  { description: 'One difference between the live API and what Gatewire last applied.' },
);

const UnsettledChange = Type.Object({
  id: Type.String({ description: 'The audit record.' }),
  action: Type.String(),
  status: Type.Enum([...AUDIT_STATUSES]),
  routeKey: Type.Optional(Type.String()),
  integrationId: Type.Optional(Type.String()),
  occurredAt: Type.String({ format: 'date-time' }),
  leftovers: Type.Optional(Type.Array(Type.String(), { description: '`partial`: what the failed compensation left behind.' })),
  supersededBy: Type.Optional(
    Type.String({
      description: 'A newer succeeded change of the same route key(s) or integration: it is the baseline now, so this change no longer leaves an unknown state.',
    }),
  ),
});

export const DriftReport = Type.Object(
  {
    apiId: Type.String(),
    clean: Type.Boolean({
      description: 'No drift, no missing or stale permission, and no interrupted or partial change that a newer succeeded change did not supersede.',
    }),
    drift: Type.Array(DriftItem, { description: 'Routes by key, then integrations by id.' }),
    unmanaged: Type.Array(Type.String(), {
      description: 'Live route keys Gatewire never applied: not drift, and not compared.',
    }),
    permissions: Type.Object(
      {
        missing: PermissionReport.properties.items,
        stale: PermissionReport.properties.stale,
      },
      { description: 'Lambda invoke permissions (as `GET …/permissions` reports them) that are `missing` or stale.' },
    ),
    interrupted: Type.Array(UnsettledChange, {
      description:
        'Changes of unknown outcome, newest first: `interrupted` (a crash mid-change) and `partial` (an undo failed). Unless `supersededBy` names a newer change, the state they left is unknown: check their routes.',
    }),
    pending: Type.Array(UnsettledChange, { description: 'Changes still pending: in flight now, or stuck until start-up recovery marks them interrupted.' }),
  },
  { $id: 'DriftReport', title: 'DriftReport', examples: [DRIFT_REPORT_EXAMPLE] },
);

const DRIFT_COUNTS = {
  clean: Type.Boolean({ description: 'As in the API\'s drift report: nothing below but `keptForStage` and `pending`.' }),
  drifted: Type.Integer({ minimum: 0, description: 'Routes, integrations and integration responses that differ from what Gatewire last applied (the report\'s `drift`).' }),
  interrupted: Type.Integer({
    minimum: 0,
    description: 'Changes of unknown outcome (`interrupted` or `partial`) that no newer change superseded: their routes need checking.',
  }),
  keptForStage: Type.Integer({
    minimum: 0,
    description: 'Gatewire invoke permissions no integration needs any more, kept because a stage deployed before may still invoke through them (`GET …/permissions`, `kept`).',
  }),
  missingPermissions: Type.Integer({ minimum: 0 }),
  stalePermissions: Type.Integer({ minimum: 0 }),
  pending: Type.Integer({ minimum: 0, description: 'Changes pending now.' }),
};

const ApiDriftSummary = Type.Object({
  apiId: Type.String(),
  name: Type.String(),
  clean: Type.Optional(DRIFT_COUNTS.clean),
  drifted: Type.Optional(DRIFT_COUNTS.drifted),
  interrupted: Type.Optional(DRIFT_COUNTS.interrupted),
  keptForStage: Type.Optional(DRIFT_COUNTS.keptForStage),
  missingPermissions: Type.Optional(DRIFT_COUNTS.missingPermissions),
  stalePermissions: Type.Optional(DRIFT_COUNTS.stalePermissions),
  pending: Type.Optional(DRIFT_COUNTS.pending),
  problem: Type.Optional(Type.String({ description: "Why the API's drift could not be read; its counts are then absent." })),
});

export const FleetDriftSummary = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        target: Type.String({ description: 'The target (GET /v1/targets).' }),
        accountId: Type.Optional(Type.String({ description: 'Absent only for `default` without GATEWIRE_ACCOUNT_ID.' })),
        region: Type.String(),
        reachable: Type.Boolean({ description: "False when the target's APIs could not be listed: its role could not be assumed, or AWS failed." }),
        problem: Type.Optional(Type.String({ description: 'Why it is unreachable.' })),
        apis: Type.Array(ApiDriftSummary, { description: "The target's WebSocket APIs, as AWS lists them." }),
      }),
      { description: 'One entry per target, in the order of GET /v1/targets.' },
    ),
  },
  {
    $id: 'FleetDriftSummary',
    title: 'FleetDriftSummary',
    examples: [
      {
        items: [
          {
            target: 'default',
            accountId: '123456789012',
            region: 'us-east-1',
            reachable: true,
            apis: [{ apiId: 'a1b2c3d4e5', name: 'chat', clean: false, drifted: 1, interrupted: 0, keptForStage: 2, missingPermissions: 0, stalePermissions: 0, pending: 0 }],
          },
          {
            target: 'prod-eu',
            accountId: '210987654321',
            region: 'eu-west-1',
            reachable: false,
            problem: 'Target "prod-eu" (account 210987654321, eu-west-1) is unreachable: Gatewire could not assume its role (AccessDenied); nothing was changed',
            apis: [],
          },
        ],
      },
    ],
  },
);
