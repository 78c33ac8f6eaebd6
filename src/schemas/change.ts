// A change as it runs and after it (GET /v1/changes/{changeId}, and the body of a 202): status,
// progress, the plan, the journal, and at the end the answer the synchronous request would have had.
import * as Type from 'typebox';
import { ref } from './common.js';
import { PlanStep } from './plan.js';

export const JournalEntry = Type.Object(
  {
    seq: Type.Integer({ description: 'Order of the entry in the journal.' }),
    at: Type.String({ format: 'date-time' }),
    owner: Type.String({ description: 'The Gatewire instance that wrote it.' }),
    kind: Type.Enum(['do', 'undo', 'event'], { description: '`do`: a step of the plan; `undo`: its compensation; `event`: the change as a whole.' }),
    stepId: Type.Optional(Type.String({ description: 'The plan step (`do`, `undo`).' })),
    operation: Type.Optional(Type.String({ description: 'The AWS operation called.' })),
    phase: Type.Optional(
      Type.Enum(['started', 'succeeded', 'failed', 'unknown', 'found', 'absent', 'skipped'], {
        description:
          '`started`: committed before the call; `succeeded` / `failed`: AWS answered; `unknown`: no answer (timeout, reset, 5xx); `found` / `absent`: a look-up after a lost answer found what the create made, or that it made nothing; `skipped`: not run (see `note`).',
      }),
    ),
    event: Type.Optional(
      Type.Enum(['taken-over', 'handed-over', 'deadline-exceeded', 'lease-lost'], { description: 'What happened to the change as a whole (`event`).' }),
    ),
    requestId: Type.Optional(Type.String({ description: "AWS's request id of the call." })),
    createdId: Type.Optional(Type.String({ description: 'The id of what the call created.' })),
    error: Type.Optional(Type.String({ description: "AWS's error name, or a short reason." })),
    note: Type.Optional(Type.String()),
  },
  { $id: 'JournalEntry', title: 'JournalEntry', description: 'One entry of a change’s journal (DESIGN §3).' },
);

export const Change = Type.Object(
  {
    changeId: Type.String({ description: 'Also the id of its audit record.' }),
    action: Type.String({ description: 'What was asked, e.g. `routes.bulk-put`.' }),
    apiId: Type.String(),
    routeKey: Type.Optional(Type.String()),
    status: Type.Enum(['pending', 'succeeded', 'failed', 'rolled_back', 'partial', 'interrupted'], {
      description: '`pending` while it runs; then how it ended (as its audit record says).',
    }),
    startedAt: Type.String({ format: 'date-time' }),
    finishedAt: Type.Optional(Type.String({ format: 'date-time' })),
    progress: Type.Object({
      stepsDone: Type.Integer(),
      stepsTotal: Type.Integer(),
      estimatedSecondsLeft: Type.Optional(
        Type.Number({ description: 'While pending: the steps left at the pace so far, never faster than AWS’s rate limit allows.' }),
      ),
      routes: Type.Optional(
        Type.Record(Type.String(), Type.Enum(['pending', 'unchanged', 'created', 'updated', 'removed']), {
          description: 'Bulk apply: each route’s planned outcome once all its steps ran, `pending` before.',
        }),
      ),
    }),
    plan: Type.Array(ref(PlanStep)),
    steps: Type.Array(ref(JournalEntry), { description: 'The journal: each write step’s start and result, in order.' }),
    result: Type.Optional(
      Type.Object(
        {
          status: Type.Integer({ description: 'The HTTP status the synchronous answer had (or would have had).' }),
          body: Type.Unknown({ description: 'Its body: the change’s answer, or a problem document (secrets redacted as in audit records).' }),
        },
        { description: 'Once the change has ended: the answer the request would have had, had it waited.' },
      ),
    ),
  },
  {
    $id: 'Change',
    title: 'Change',
    examples: [
      {
        changeId: '01JD8V6X3C2M4K7Q9R5T1W0Y8Z',
        action: 'routes.bulk-put',
        apiId: 'a1b2c3d4e5',
        status: 'pending',
        startedAt: '2026-12-04T20:00:00.000Z',
        progress: { stepsDone: 120, stepsTotal: 600, estimatedSecondsLeft: 48, routes: { $connect: 'created', sendmessage: 'pending' } },
        plan: [],
        steps: [],
      },
    ],
  },
);

export const ChangeIdParams = Type.Object({
  changeId: Type.String({ minLength: 1, maxLength: 64, description: 'The change id (`Location` of a 202, or `auditId`).' }),
});

/**
 * The `202 Accepted` of every mutation that runs as a change (routes/change-answer.ts): the change
 * outlasted its wait bound, or the caller sent `Prefer: respond-async`. The body is the change as
 * it stands; `Location` is where it goes on.
 */
export const acceptedResponse = {
  description:
    'The change goes on past its wait bound (`Prefer: wait=N`, or Gatewire’s default), or `Prefer: respond-async` asked not to wait: the body is the change as it stands. Poll `Location` (GET /v1/changes/{changeId}) until it is no longer `pending`; its `result` is then the answer this request would have had.',
  headers: {
    Location: { type: 'string', description: 'Where to follow the change: `/v1/changes/{changeId}`, behind any stage prefix.' },
    'Retry-After': { type: 'integer', minimum: 1, maximum: 30, description: 'Seconds to wait before polling `Location`.' },
    'Preference-Applied': { type: 'string', description: 'The preferences of `Prefer` that were honoured (`respond-async`, `wait=N`); absent when none was.' },
  },
  content: { 'application/json': { schema: ref(Change) } },
} as const;
