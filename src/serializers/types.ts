// The shape of Fastify's `schemaController.compilersFactory.buildSerializer`: given the shared
// schemas (app.addSchema), a compiler of one route's response schema into a serializer.
export type Serializer = (data: unknown) => string;
export type BuildSerializer = (
  externalSchemas: unknown,
  serializerOptions: unknown,
) => (routeSchema: { schema: unknown; method?: string; url?: string; httpStatus?: string; contentType?: string }) => Serializer;

/** What an app takes (AppExtras.serializers): the serializers for its mode of compiling schemas. */
export type SerializerCompilers = (options: { lazy: boolean }) => BuildSerializer;
