// Bulk apply (PUT /v1/apis/{apiId}/routes): the desired backend of many routes, and what happened.
import * as Type from 'typebox';
import { ref } from './common.js';
import { RouteIntegrationIntentSchema } from './intent.js';
import { ChangeSummary } from './plan.js';

/** AWS's default route quota per API (reference §3.2): a bulk apply names at most that many routes. */
export const BULK_MAX_ROUTES = 300;

export const BulkApplyRequest = Type.Object(
  {
    routes: Type.Record(Type.String({ minLength: 1, maxLength: 128 }), Type.Union([ref(RouteIntegrationIntentSchema), Type.Null()]), {
      minProperties: 1,
      maxProperties: BULK_MAX_ROUTES,
      propertyNames: { minLength: 1, maxLength: 128 },
      description:
        'Route key -> its desired backend in intent form, or `null` to remove its integration (the route stays). Routes not named are left alone.',
    }),
    deployStage: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9_$-]{1,128}$',
        description: 'After the change, deploy this stage (same as the `deployStage` query parameter).',
      }),
    ),
  },
  {
    $id: 'BulkApplyRequest',
    title: 'BulkApplyRequest',
    additionalProperties: false,
    examples: [
      {
        routes: {
          $connect: { backend: { type: 'lambda', function: 'chat-connect' } },
          sendmessage: { backend: { type: 'lambda', function: 'chat-handler:live' }, returnResponse: true },
          legacy: null,
        },
      },
    ],
  },
);

export const BulkRouteOutcome = Type.Object(
  {
    outcome: Type.Enum(['unchanged', 'created', 'updated', 'removed'], {
      description:
        "What the change did (or, in a dry run, would do) to the route's integration: `created` bound one where there was none.",
    }),
    integrationId: Type.Optional(Type.String({ description: 'The integration the route is bound to afterwards.' })),
  },
  { title: 'BulkRouteOutcome' },
);

export const BulkApplyChange = Type.Object(
  {
    ...ChangeSummary.properties,
    routes: Type.Record(Type.String(), BulkRouteOutcome, { description: 'One outcome per route key named in the request.' }),
  },
  {
    $id: 'BulkApplyChange',
    title: 'BulkApplyChange',
    examples: [
      {
        outcome: 'applied',
        plan: [],
        auditId: '01JD8V6X3C2M4K7Q9R5T1W0Y8Z',
        auditComplete: true,
        routes: { $connect: { outcome: 'unchanged', integrationId: 'abc1234' }, sendmessage: { outcome: 'updated', integrationId: 'def5678' }, legacy: { outcome: 'removed' } },
      },
    ],
  },
);
