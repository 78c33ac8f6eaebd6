// In the Lambda bundle in place of @fastify/ajv-compiler: the Lambda app validates with the code
// Ajv generated at build time (src/precompiled-validators.ts, passed by src/lambda.ts), so Ajv is
// neither parsed nor run at a cold start. Should a bundled app be built without those validators,
// this says so instead of silently validating differently.
'use strict';
function AjvCompiler() {
  throw new Error('Ajv is not in the Lambda bundle: the app must pass the precompiled validators (src/lambda.ts, AppExtras.validators)');
}
module.exports = AjvCompiler;
module.exports.default = AjvCompiler;
module.exports.AjvCompiler = AjvCompiler;
module.exports.StandaloneValidator = AjvCompiler;
