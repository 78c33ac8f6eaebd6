// Shared schema pieces: the Problem document (RFC 9457), the ref() helper and bounded maps.
import { Type, type Static, type TSchema } from 'typebox';
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
      Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
        description: 'Every offending field and the rule it breaks (validation problems).',
      }),
    ),
    aws: Type.Optional(
      Type.Object(
        { error: Type.String(), requestId: Type.Optional(Type.String()) },
        { description: "AWS's error name and request id (AWS failures)." },
      ),
    ),
    auditId: Type.Optional(Type.String({ description: 'The audit record of the change that failed.' })),
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
});
