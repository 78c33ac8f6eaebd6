// Both response serializers at once (src/serializers/): the compiled one's output is sent, and the
// Lambda's (projection + JSON.stringify) must write exactly the same bytes, or the response fails
// with the difference. The test apps use it, so every response of the suite checks that the Lambda
// build answers as the server does.
import { compiledSerializers } from '../../src/serializers/compiled.js';
import { jsonSerializers } from '../../src/serializers/json.js';
import type { SerializerCompilers } from '../../src/serializers/types.js';

export const checkedSerializers: SerializerCompilers = (options) => {
  const compiledFactory = compiledSerializers(options);
  const jsonFactory = jsonSerializers(options);
  return (externalSchemas, serializerOptions) => {
    const compiled = compiledFactory(externalSchemas, serializerOptions);
    const json = jsonFactory(externalSchemas, serializerOptions);
    return (routeSchema) => {
      const expected = compiled(routeSchema);
      const actual = json(routeSchema);
      const outcome = (serialize: (data: unknown) => string, data: unknown): { written: string } | { error: unknown } => {
        try {
          return { written: serialize(data) };
        } catch (error) {
          return { error };
        }
      };
      return (data) => {
        // fast-json-stringify throws on a missing required field: so must the other.
        const one = outcome(expected, data);
        const two = outcome(actual, data);
        if ('error' in one && 'error' in two) throw one.error;
        const written = 'written' in one ? one.written : `(threw ${String(one.error)})`;
        const other = 'written' in two ? two.written : `(threw ${String(two.error)})`;
        if (other !== written || !('written' in one)) {
          // The test apps log nothing: SHOW_SERIALIZER_DIFF=1 prints the difference the 500 hides.
          if (process.env['SHOW_SERIALIZER_DIFF']) console.error(`DIFF ${routeSchema.method} ${routeSchema.url} ${routeSchema.httpStatus}\n  compiled ${written}\n  json     ${other}`);
          throw new Error(
            `serializers differ for ${routeSchema.method} ${routeSchema.url} ${routeSchema.httpStatus}:\n  compiled ${written}\n  json     ${other}`,
          );
        }
        return (one as { written: string }).written;
      };
    };
  };
};
