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

/**
 * The options both bundles take: one ESM file for what always runs, with dynamic imports split into
 * chunks loaded when first needed (e.g. the SDK's credential providers other than the environment's).
 */
export const SHARED_BUILD_OPTIONS = {
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  // ESM entries first: the AWS SDK's and Kysely's `module` entries tree-shake, their CommonJS
  // `main` entries do not (about 220 KB less).
  mainFields: ['module', 'main'],
  // The oldest Node tested (CI runs 20, 22 and 24); the image and Lambda run 24.
  target: 'node20',
  banner: { js: CJS_SHIMS_BANNER },
  metafile: true,
  logLevel: 'warning',
};
