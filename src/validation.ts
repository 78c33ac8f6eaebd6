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
// compiled by fast-json-stringify on the server, projected and JSON.stringify'd on Lambda), and so
// are the validators (AppExtras.validators): Ajv compiles them at run time on the server, the
// Lambda bundle loads the code the same Ajv generated at build time (precompiled-validators.ts).
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';
import type { BuildSerializer } from './serializers/types.js';

/** Ajv's options for every route schema; `coerceTypes` is set per part (below). */
export const AJV_OPTIONS = { allErrors: true, removeAdditional: false, useDefaults: true, discriminator: true, strict: false, verbose: true } as const;

export type Validator = ((data: unknown) => unknown) & { errors?: unknown };

/** What Fastify passes to a validator compiler for one part of one route. */
export interface RouteSchemaPart {
  schema: unknown;
  method?: string | string[];
  url?: string;
  httpPart?: string;
}

/** The shape of Fastify's `schemaController.compilersFactory.buildValidator`. */
export type BuildValidator = (externalSchemas: unknown, serverOptions?: { plugins?: unknown[] }) => (routeSchema: RouteSchemaPart) => Validator;

/** What an app takes (AppExtras.validators): the validators for its mode of compiling schemas. */
export type ValidatorCompilers = (options: { lazy: boolean }) => BuildValidator;

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

/** The part of a route a validator checks: Ajv coerces text (path, query, headers), never a body. */
export const coercesTypes = (httpPart: string | undefined) => httpPart !== 'body';

/**
 * Ajv compiling at run time, one instance for bodies and one for text. `factory` is
 * @fastify/ajv-compiler's (its StandaloneValidator in write mode when the Lambda build generates
 * the code: scripts/write-lambda-validators.ts).
 */
export function ajvValidators(options: { lazy: boolean; factory?: () => ReturnType<typeof AjvCompiler> }): BuildValidator {
  const bodyFactory = (options.factory ?? AjvCompiler)();
  const textFactory = (options.factory ?? AjvCompiler)();
  return (externalSchemas, ajvServerOptions) => {
    const plugins = ajvServerOptions?.plugins ?? [];
    // Checking every schema against the JSON Schema meta-schema costs a cold start about 60 ms;
    // the eager mode (tests) keeps the check, so a malformed schema still fails the suite.
    const checked = { ...AJV_OPTIONS, validateSchema: !options.lazy };
    // Each Ajv instance (formats, vocabularies, every shared schema) is itself built on first use.
    type Compiler = ReturnType<typeof bodyFactory>;
    let body: Compiler | undefined;
    let text: Compiler | undefined;
    const bodyCompiler = () => (body ??= bodyFactory(externalSchemas as never, { customOptions: { ...checked, coerceTypes: false }, plugins } as never));
    const textCompiler = () => (text ??= textFactory(externalSchemas as never, { customOptions: { ...checked, coerceTypes: 'array' }, plugins } as never));
    // Fastify only calls the function and reads `errors`; Ajv's other members are not used.
    const compile = (routeSchema: RouteSchemaPart) =>
      (coercesTypes(routeSchema.httpPart) ? textCompiler() : bodyCompiler())(routeSchema as never) as Validator;
    return (routeSchema) => (options.lazy ? lazyValidator(() => compile(routeSchema)) : compile(routeSchema));
  };
}

/** Ajv at run time: the server's and the tests' validators. */
export const runtimeAjvValidators: ValidatorCompilers = ({ lazy }) => ajvValidators({ lazy });

/**
 * Fastify's schema controller. Without `buildSerializer`, Fastify's own (fast-json-stringify,
 * compiled when a route is registered); without `buildValidator`, Ajv at run time.
 */
export function schemaCompilers(
  options: { lazy: boolean; buildSerializer?: BuildSerializer | undefined; buildValidator?: BuildValidator | undefined } = { lazy: true },
): NonNullable<FastifyServerOptions['schemaController']> {
  return {
    compilersFactory: {
      buildValidator: (options.buildValidator ?? ajvValidators({ lazy: options.lazy })) as never,
      ...(options.buildSerializer ? { buildSerializer: options.buildSerializer as never } : {}),
    },
  };
}
