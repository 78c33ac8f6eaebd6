// Ajv settings for every request part. Bodies are validated strictly: every error is reported
// (allErrors), unknown fields are errors rather than silently dropped (removeAdditional: false),
// and types are never coerced ("50" is not a timeout). Path and query strings are coerced, since
// they only ever arrive as text. Both compilers see the schemas registered with addSchema.
// `verbose` puts the failing schema on each error, so that a problem can say which values a
// discriminated union accepts (problem-details.ts).
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

const shared = { allErrors: true, removeAdditional: false, useDefaults: true, discriminator: true, strict: false, verbose: true } as const;

export function validatorCompilers(): NonNullable<FastifyServerOptions['schemaController']> {
  const bodyFactory = AjvCompiler();
  const textFactory = AjvCompiler();
  return {
    compilersFactory: {
      buildValidator(externalSchemas, ajvServerOptions) {
        const plugins = ajvServerOptions?.plugins ?? [];
        const body = bodyFactory(externalSchemas, { customOptions: { ...shared, coerceTypes: false }, plugins } as never);
        const text = textFactory(externalSchemas, { customOptions: { ...shared, coerceTypes: 'array' }, plugins } as never);
        return (routeSchema) => (routeSchema.httpPart === 'body' ? body(routeSchema) : text(routeSchema));
      },
    },
  };
}
