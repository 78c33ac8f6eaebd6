// Shared schema pieces: the Problem document (RFC 9457), the ref() helper and bounded maps.
import * as Type from 'typebox';
import type { Static, TSchema } from 'typebox';
import { PROBLEM_EXAMPLE } from './examples.js';

/**
 * A `$ref` to a registered component that keeps the referenced type for handlers.
 * A bare Type.Ref infers as unknown; Fastify's Ajv resolves the `$ref` and @fastify/swagger
 * emits `#/components/schemas/<Name>`.
 */
export function ref<T extends TSchema>(schema: T) {
  const id = (schema as { $id?: string }).$id;
  if (!id) throw new Error('ref() needs a schema with an $id (a registered component)');
  return Type.Unsafe<Static<T>>(Type.Ref(id));
}

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'A URI that identifies the kind of problem.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String({ description: 'The request id.' })),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          path: Type.String(),
          message: Type.String(),
          rule: Type.Optional(Type.String({ description: 'The guardrail the field breaks (403), e.g. `functionAccounts`.' })),
          policy: Type.Optional(Type.String({ description: 'The guardrail policy that applied (403).' })),
        }),
        { description: 'Every offending field and the rule it breaks (validation problems and guardrail denials).' },
      ),
    ),
    aws: Type.Optional(
      Type.Object(
        { error: Type.String(), requestId: Type.Optional(Type.String()) },
        { description: "AWS's error name and request id (AWS failures)." },
      ),
    ),
    auditId: Type.Optional(Type.String({ description: 'The audit record of the change that failed.' })),
    failedStep: Type.Optional(
      Type.Object(
        { id: Type.String(), description: Type.String() },
        { description: 'The plan step whose AWS call failed; in a bulk apply its description starts with the route key.' },
      ),
    ),
    etag: Type.Optional(Type.String({ description: "The target's current entity tag (a failed If-Match / If-None-Match, 412)." })),
  },
  { $id: 'Problem', title: 'Problem', description: 'application/problem+json (RFC 9457).', examples: [PROBLEM_EXAMPLE] },
);

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A response entry for a problem status, in the problem+json content type. */
export function problemResponse(description: string) {
  return {
    description,
    content: { [PROBLEM_CONTENT_TYPE]: { schema: ref(Problem) } },
  } as const;
}

/**
 * The 503 of a GET that reads AWS: AWS throttled it, or Gatewire refused it because it would wait
 * past GATEWIRE_READ_WAIT_MS behind changes for the account's call budget (issue 15).
 */
export const readUnavailable = problemResponse(
  'AWS throttled the request, or it would wait longer than the read bound behind changes for the AWS call budget (`budget-busy`); see Retry-After. Or the audit store is down.',
);

/** A string-to-string map with bounded size, for templates and parameters. */
export function boundedMap(options: { maxProperties: number; maxKeyLength: number; maxValueLength: number; description?: string }) {
  return Type.Record(Type.String({ maxLength: options.maxKeyLength }), Type.String({ maxLength: options.maxValueLength }), {
    maxProperties: options.maxProperties,
    propertyNames: { maxLength: options.maxKeyLength, minLength: 1 },
    ...(options.description ? { description: options.description } : {}),
  });
}

export const ApiIdParams = Type.Object({
  apiId: Type.String({ pattern: '^[a-z0-9]{1,32}$', description: 'The WebSocket API id.' }),
});

export const RouteKeyParams = Type.Object({
  apiId: ApiIdParams.properties.apiId,
  routeKey: Type.String({
    minLength: 1,
    maxLength: 128,
    description: 'The route key, URL-encoded: `%24connect`, `%24default`, `sendmessage`.',
  }),
});

export const IntegrationIdParams = Type.Object({
  apiId: ApiIdParams.properties.apiId,
  integrationId: Type.String({ pattern: '^[a-zA-Z0-9]{1,32}$' }),
});

export const DryRunQuery = Type.Object({
  dryRun: Type.Optional(
    Type.Boolean({ default: false, description: 'Return the plan (the ordered AWS calls) and change nothing.' }),
  ),
  deployStage: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_$-]{1,128}$',
      description:
        'After the change, deploy the API on this stage (a last plan step `CreateDeployment`; API Gateway allows one deployment per 5 s per account, so Gatewire paces them). A stage with autoDeploy gets no deployment (`deployment.status: auto-deploys`); a change with nothing to do deploys nothing (`not-needed`). An unknown stage is a 400 and changes nothing.',
    }),
  ),
});

const ENTITY_TAGS = { maxLength: 4096 } as const;

// Optional parameters carry no `examples`: Swagger UI's "Try it out" fills them in and sends them,
// so an example stage or ETag would turn every tried request into a 400 or a 412.

/** If-Match / If-None-Match (RFC 9110 §13.1) on the mutations of resources that carry an ETag. */
export const ConditionalHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      ...ENTITY_TAGS,
      description:
        'Change only if the current ETag is one of these (`"…", "…"`), or, with `*`, only if the target exists. Otherwise 412 with the current ETag, and nothing is changed.',
    }),
  ),
  'if-none-match': Type.Optional(
    Type.String({
      ...ENTITY_TAGS,
      description: '`*`: change only if the target does not exist yet (create-only); a list of ETags: only if the current one is none of them. Otherwise 412.',
    }),
  ),
});

/** The ETag response header (documentation; the route sets it). */
export const ETAG_HEADER = {
  ETag: { type: 'string', description: "Strong entity tag of the resource's AWS state (after the change, for a mutation); send it back in If-Match." },
} as const;

/** A response schema that also documents the ETag header. */
export function withEtagHeader<T extends TSchema>(schema: T): T {
  return { ...schema, headers: ETAG_HEADER };
}

/** The 412 of a conditional request: the problem names the current ETag, as does the ETag header. */
export const preconditionFailedResponse = {
  ...problemResponse('If-Match or If-None-Match failed: `etag` (and the ETag header) hold the current entity tag; nothing was changed.'),
  headers: { ETag: { type: 'string', description: "The target's current entity tag (absent when it does not exist)." } },
} as const;
