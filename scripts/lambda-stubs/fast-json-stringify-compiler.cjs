// In the Lambda bundle in place of @fastify/fast-json-stringify-compiler, which Fastify requires
// only when the app brings no serializer compiler of its own; the Lambda app brings one
// (src/serializers/json.ts), so this is never called. Should it be, it says so instead of
// silently serialising differently.
'use strict';
function SerializerSelector() {
  throw new Error('fast-json-stringify is not in the Lambda bundle: the app must pass serializers (src/app.ts AppExtras.serializers)');
}
module.exports = SerializerSelector;
module.exports.default = SerializerSelector;
module.exports.SerializerSelector = SerializerSelector;
