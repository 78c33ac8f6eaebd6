// Response serializers compiled by fast-json-stringify (the server, the tests): fast on a warm
// process, but the compiler (~100 KB with its helpers) and each route's compilation cost a cold
// start; the Lambda build uses json.ts instead, which writes the same JSON.
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { BuildSerializer } from './types.js';

/** A serializer that compiles itself on first call. */
export function lazySerializer(compile: () => (data: unknown) => string): (data: unknown) => string {
  let compiled: ((data: unknown) => string) | undefined;
  return (data) => (compiled ??= compile())(data);
}

export function compiledSerializers(options: { lazy: boolean }): BuildSerializer {
  const serializerFactory = SerializerSelector();
  return (externalSchemas, serializerOptions) => {
    let factory: ReturnType<typeof serializerFactory> | undefined;
    const compile = (routeSchema: never) => (factory ??= serializerFactory(externalSchemas as never, serializerOptions as never))(routeSchema);
    return (routeSchema) =>
      options.lazy ? lazySerializer(() => compile(routeSchema as never) as (data: unknown) => string) : compile(routeSchema as never);
  };
}
