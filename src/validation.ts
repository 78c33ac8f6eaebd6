// How Fastify compiles route schemas. Validation, Ajv: bodies are validated strictly — every
// error is reported (allErrors), unknown fields are errors rather than silently dropped
// (removeAdditional: false), and types are never coerced ("50" is not a timeout). Path and query
// strings are coerced, since they only ever arrive as text. Both compilers see the schemas
// registered with addSchema. `verbose` puts the failing schema on each error, so that a problem
// can say which values a discriminated union accepts (problem-details.ts).
//
// Both validators and response serializers are compiled on first use rather than at ready():
// compiling all of them (fast-json-stringify re-validates every response schema against the
// meta-schema) took about a second, which every cold start and every test app paid, mostly for
// routes that instance never serves. The serializers are the runtime's (AppExtras.serializers:
// compiled by fast-json-stringify on the server, projected and JSON.stringify'd on Lambda).
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';
import type { BuildSerializer } from './serializers/types.js';

const shared = { allErrors: true, removeAdditional: false, useDefaults: true, discriminator: true, strict: false, verbose: true } as const;

type Validator = ((data: unknown) => unknown) & { errors?: unknown };

/** A validator that compiles itself on first call; Fastify reads `errors` off the function it was given. */
export function lazyValidator(compile: () => Validator): Validator {
  let compiled: Validator | undefined;
  const validate: Validator = (data) => {
    compiled ??= compile();
    const result = compiled(data);
    validate.errors = compiled.errors;
    return result;
  };
  return validate;
}

/**
 * Without `buildSerializer`, Fastify's own (fast-json-stringify, compiled when a route is
 * registered).
 */
export function schemaCompilers(
  options: { lazy: boolean; buildSerializer?: BuildSerializer | undefined } = { lazy: true },
): NonNullable<FastifyServerOptions['schemaController']> {
  const bodyFactory = AjvCompiler();
  const textFactory = AjvCompiler();
  return {
    compilersFactory: {
      buildValidator(externalSchemas, ajvServerOptions) {
        const plugins = ajvServerOptions?.plugins ?? [];
        // Checking every schema against the JSON Schema meta-schema costs a cold start about 60 ms;
        // the eager mode (tests) keeps the check, so a malformed schema still fails the suite.
        const checked = { ...shared, validateSchema: !options.lazy };
        // Each Ajv instance (formats, vocabularies, every shared schema) is itself built on first use.
        type Compiler = ReturnType<typeof bodyFactory>;
        let body: Compiler | undefined;
        let text: Compiler | undefined;
        const bodyCompiler = () => (body ??= bodyFactory(externalSchemas, { customOptions: { ...checked, coerceTypes: false }, plugins } as never));
        const textCompiler = () => (text ??= textFactory(externalSchemas, { customOptions: { ...checked, coerceTypes: 'array' }, plugins } as never));
        // Fastify only calls the function and reads `errors`; Ajv's other members are not used.
        const compile = (routeSchema: Parameters<Compiler>[0]) =>
          routeSchema.httpPart === 'body' ? bodyCompiler()(routeSchema) : textCompiler()(routeSchema);
        return (routeSchema) => (options.lazy ? (lazyValidator(() => compile(routeSchema) as Validator) as never) : compile(routeSchema));
      },
      ...(options.buildSerializer ? { buildSerializer: options.buildSerializer as never } : {}),
    },
  };
}
