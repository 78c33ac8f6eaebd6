// What the Lambda bundle (build-lambda.mjs) and the server bundle (build-server.mjs) share.

// Never bundled: better-sqlite3 is a native module that finds its .node file next to itself;
// pg-native is pg's optional native binding (node-postgres#2800), only reached through lazy imports.
export const NATIVE_EXTERNAL = ['better-sqlite3', 'pg-native'];

// CommonJS dependencies (avvio, fastify's plugins, pg) call require() and read __dirname; ESM has
// neither (aws-lambda-fastify#191: "Dynamic require of events").
export const CJS_SHIMS_BANNER = [
  "import { createRequire as __gatewireCreateRequire } from 'node:module';",
  "import { fileURLToPath as __gatewireFileURLToPath } from 'node:url';",
  "import { dirname as __gatewireDirname } from 'node:path';",
  'const require = __gatewireCreateRequire(import.meta.url);',
  'const __filename = __gatewireFileURLToPath(import.meta.url);',
  'const __dirname = __gatewireDirname(__filename);',
].join('\n');
