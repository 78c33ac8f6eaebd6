// The audit trail (DESIGN §5) as the API shows it: one record per change, and a page of them.
import * as Type from 'typebox';
import { JournalEntry } from './change.js';
import { ref } from './common.js';
import { AUDIT_RECORD_EXAMPLE } from './examples.js';

export const AUDIT_STATUSES = ['pending', 'succeeded', 'failed', 'rolled_back', 'partial', 'interrupted'] as const;

/** The store's limit too (audit/query.ts MAX_PAGE_SIZE, which schemas/ may not import). */
const MAX_PAGE_SIZE = 500;

const AuditStatus = Type.Enum([...AUDIT_STATUSES], {
  description:
    '`pending`: running (or crashed before its final write); `succeeded`; `failed`: nothing changed; `rolled_back`: a step failed and every completed step was undone; `partial`: an undo failed, or a step that cannot be undone had run, see `leftovers`; `interrupted`: recorded before Gatewire journaled steps and found pending, so which steps ran is not known.',
});

const AuditAwsCall = Type.Object(
  {
    service: Type.String({ description: '`apigatewayv2` or `lambda`.' }),
    operation: Type.String({ description: 'The AWS operation, e.g. `CreateIntegration`.' }),
    requestId: Type.Optional(Type.String({ description: "AWS's request id." })),
    outcome: Type.Enum(['ok', 'error']),
    error: Type.Optional(Type.String({ description: "AWS's error name, when the call failed." })),
    httpStatus: Type.Optional(Type.Integer()),
    attempts: Type.Optional(Type.Integer({ description: "Attempts the SDK made (its own retries included)." })),
    durationMs: Type.Number(),
  },
  { description: 'One AWS call of the change (after the SDK’s retries).' },
);

export const AuditRecord = Type.Object(
  {
    id: Type.String({ description: 'Time-ordered id (ULID layout).' }),
    occurredAt: Type.String({ format: 'date-time' }),
    actor: Type.Object({
      id: Type.String(),
      kind: Type.Enum(['api-key', 'jwt', 'iam', 'anonymous']),
    }),
    requestId: Type.String({ description: 'The id of the HTTP request that asked for the change.' }),
    idempotencyKey: Type.Optional(Type.String()),
    action: Type.String({ description: 'What was asked, e.g. `route-integration.put`.' }),
    apiId: Type.String(),
    target: Type.Optional(Type.String({ description: 'The target the change acted in (GET /v1/targets); absent: `default`.' })),
    routeKey: Type.Optional(Type.String()),
    integrationId: Type.Optional(Type.String()),
    guardrailPolicy: Type.Optional(
      Type.String({ description: 'The guardrail policy that allowed the change (README "Guardrails"); `default` is the built-in one.' }),
    ),
    status: AuditStatus,
    request: Type.Unknown({ description: 'The request as received, with secrets redacted.' }),
    plan: Type.Unknown({ description: 'The plan that ran (ordered AWS calls).' }),
    before: Type.Unknown({ description: 'The state read before the change.' }),
    after: Type.Optional(Type.Unknown({ description: 'The state read after the change.' })),
    awsCalls: Type.Array(AuditAwsCall),
    error: Type.Optional(
      Type.Object({
        kind: Type.String(),
        message: Type.String(),
        aws: Type.Optional(Type.Object({ error: Type.String(), requestId: Type.Optional(Type.String()) })),
      }),
    ),
    leftovers: Type.Optional(
      Type.Array(Type.String(), { description: 'What a failed compensation left behind (status `partial`).' }),
    ),
    durationMs: Type.Optional(Type.Integer()),
    finishedAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the record left `pending`.' })),
    deadlineAt: Type.Optional(Type.String({ format: 'date-time', description: 'Past it, the change stops at a step boundary and is undone.' })),
    lease: Type.Optional(
      Type.Object(
        { owner: Type.String(), expiresAt: Type.String({ format: 'date-time' }) },
        { description: 'While pending: the instance running it, and until when unless it renews (absent once released for another to take over).' },
      ),
    ),
    journal: Type.Optional(
      Type.Array(ref(JournalEntry), { description: 'Each write step’s start and result, in order (`GET /v1/audit/{id}` only; not in lists).' }),
    ),
  },
  { $id: 'AuditRecord', title: 'AuditRecord', description: 'One change Gatewire made (or tried to make) to AWS.', examples: [AUDIT_RECORD_EXAMPLE] },
);

export const AuditPage = Type.Object(
  {
    items: Type.Array(ref(AuditRecord), { description: 'Newest first.' }),
    nextCursor: Type.Optional(Type.String({ description: 'Pass as `cursor` for the next page; absent on the last page.' })),
  },
  { $id: 'AuditPage', title: 'AuditPage' },
);

export const AuditQueryString = Type.Object(
  {
    apiId: Type.Optional(Type.String({ maxLength: 64, description: 'Only changes to this API.' })),
    target: Type.Optional(Type.String({ maxLength: 64, description: 'Only changes in this target (`default`: the paths without a target).' })),
    routeKey: Type.Optional(Type.String({ maxLength: 128, description: 'Only changes to this route key.' })),
    actor: Type.Optional(Type.String({ maxLength: 256, description: 'Only changes asked for by this actor id.' })),
    action: Type.Optional(Type.String({ maxLength: 64, description: 'Only this action, e.g. `route-integration.put`.' })),
    status: Type.Optional(AuditStatus),
    from: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Inclusive lower bound on `occurredAt`.' })),
    to: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Exclusive upper bound on `occurredAt`.' })),
    cursor: Type.Optional(Type.String({ maxLength: 256, description: '`nextCursor` of the previous page.' })),
    limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50, description: 'Page size.' }),
  },
  { additionalProperties: false },
);

export const AuditIdParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, description: 'The audit record id.' }),
});
