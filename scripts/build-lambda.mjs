#!/usr/bin/env node
// npm run build:lambda: bundles src/lambda.ts with esbuild into dist/lambda/ and zips it as
// dist/gatewire-lambda.zip (handler `index.handler`, runtime nodejs24.x).
//
//   dist/lambda/index.mjs      the app, ESM; better-sqlite3 and pg-native left out
//   dist/lambda/chunks/        code only reached through a dynamic import (the AWS SDK's credential
//                              providers other than the environment's, the DynamoDB audit store
//                              and its client, the Lambda and STS clients), loaded when first needed
//   dist/lambda/**/*.mjs.map   source maps (set NODE_OPTIONS=--enable-source-maps to use them)
//   dist/lambda/openapi.json   the committed OpenAPI document (served at /openapi.json)
//   dist/lambda/static/        Swagger UI's static files (served at /docs; src/lambda.ts finds them)
//   dist/lambda/validators/    the code Ajv generated for each route schema (one CommonJS file each,
//                              loaded when its route first validates: src/precompiled-validators.ts)
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { NATIVE_EXTERNAL, SHARED_BUILD_OPTIONS } from './esbuild-shared.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'dist/lambda');
const zipFile = join(root, 'dist/gatewire-lambda.zip');
const require = createRequire(import.meta.url);

// Never in the bundle: besides the native modules, better-sqlite3 is not needed, as Lambda mode
// requires PostgreSQL (src/config.ts).
export const EXTERNAL = NATIVE_EXTERNAL;

// The server's extras (src/plugins/server-extras.ts) that the Lambda build serves without:
// src/plugins/bundled-docs.ts replaces the first four, and Lambda has no /metrics. A stray import
// would put them back in the bundle and every cold start would parse them again.
// Loaded on demand only: they must sit in chunks that index.mjs imports dynamically, never
// statically. The DynamoDB client only by deployments that select that audit store
// (GATEWIRE_AUDIT_URL=dynamodb://…); the Lambda and STS clients by the first call that needs them
// (src/aws/clients.ts: a change's permission calls, an account look-up), never by a cold start.
export const ON_DEMAND_ONLY = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/client-lambda', '@aws-sdk/client-sts'];

// Ajv and its compiler: the Lambda app validates with code generated at build time
// (VALIDATORS below); fast-json-stringify too: the Lambda app writes responses with src/serializers/json.ts (the same
// JSON, nothing to load or compile at a cold start); Fastify's own require of the compiler, reached
// only when an app brings none, resolves to a stub that throws (STUBBED).
export const SERVER_ONLY = [
  '@fastify/swagger',
  '@fastify/swagger-ui',
  '@fastify/static',
  'yaml',
  'fastify-metrics',
  'prom-client',
  '@fastify/fast-json-stringify-compiler',
  '@fastify/merge-json-schemas',
  '@fastify/ajv-compiler',
  'ajv',
  'ajv-formats',
  'fast-uri',
  'ip-address',
];

const STUBBED = {
  '@fastify/fast-json-stringify-compiler': join(root, 'scripts/lambda-stubs/fast-json-stringify-compiler.cjs'),
  '@fastify/ajv-compiler': join(root, 'scripts/lambda-stubs/ajv-compiler.cjs'),
  // @fastify/rate-limit's default key generator's IPv6 parsing (33 KB): the app brings its own.
  'ip-address': join(root, 'scripts/lambda-stubs/ip-address.cjs'),
};

/** Resolves each STUBBED package to its stub. */
const stubs = {
  name: 'gatewire-lambda-stubs',
  setup(build) {
    const filter = new RegExp(`^(${Object.keys(STUBBED).map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: STUBBED[args.path] }));
  },
};

async function sizeOf(path) {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path)) total += await sizeOf(join(path, entry));
  return total;
}

/** The output files `entry` loads before it runs: itself and its static imports, transitively. */
function staticallyImported(outputs, entry, seen = new Set()) {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  for (const imported of outputs[entry].imports) {
    if (imported.kind === 'import-statement' && outputs[imported.path]) staticallyImported(outputs, imported.path, seen);
  }
  return seen;
}

export const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

/**
 * The validators: scripts/write-lambda-validators.ts builds the Lambda app and writes the code Ajv
 * generates for each route part (with the options of src/validation.ts), each file bundled with
 * the Ajv runtime helpers it requires, as CommonJS, so that the app loads it synchronously the
 * first time its route validates a request.
 */
async function buildValidators() {
  const target = join(outDir, 'validators');
  execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/write-lambda-validators.ts'), target], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return { count: (await readdir(target)).filter((file) => file.endsWith('.cjs')).length, bytes: await sizeOf(target) };
}

export async function buildLambda({ quiet = false } = {}) {
  await rm(outDir, { recursive: true, force: true });
  await rm(zipFile, { force: true });
  await mkdir(outDir, { recursive: true });

  const result = await build({
    entryPoints: { index: join(root, 'src/lambda.ts') },
    outdir: outDir,
    // Split chunks: the SDK's SSO, INI, process and web-identity credential providers (~280 KB)
    // are not parsed at a cold start that uses Lambda's environment credentials.
    ...SHARED_BUILD_OPTIONS,
    external: EXTERNAL,
    plugins: [stubs],
    minify: true,
    // No keepNames: it added 120 KB (6 %) of name-restoring calls to parse at every cold start.
    // Gatewire's errors set `name` themselves; stack traces map back with the linked source map
    // (NODE_OPTIONS=--enable-source-maps).
    sourcemap: 'linked',
    legalComments: 'linked',
  });

  const leaked = Object.keys(result.metafile.inputs).filter((input) =>
    [...EXTERNAL, ...SERVER_ONLY].some((name) => input.includes(`node_modules/${name}/`)),
  );
  if (leaked.length > 0) throw new Error(`the bundle must not contain ${leaked.join(', ')}`);

  const validators = await buildValidators();

  const swaggerUiStatic = join(dirname(require.resolve('@fastify/swagger-ui/package.json')), 'static');
  await cp(swaggerUiStatic, join(outDir, 'static'), { recursive: true });
  await cp(join(root, 'openapi/openapi.json'), join(outDir, 'openapi.json'));

  try {
    execFileSync('zip', ['-q', '-r', '-X', zipFile, '.'], { cwd: outDir, stdio: 'inherit' });
  } catch (error) {
    if (error.code === 'ENOENT') throw new Error('the `zip` command is missing: apt-get install -y zip', { cause: error });
    throw error;
  }

  const outputs = Object.fromEntries(Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.mjs')));
  const entry = Object.keys(outputs).find((file) => file.endsWith('/index.mjs'));
  const eager = [...staticallyImported(outputs, entry)].flatMap((file) =>
    Object.keys(result.metafile.outputs[file].inputs).filter((input) => ON_DEMAND_ONLY.some((name) => input.includes(`node_modules/${name}/`))),
  );
  if (eager.length > 0) throw new Error(`loaded at every cold start, but meant to be loaded on demand: ${[...new Set(eager)].slice(0, 5).join(', ')}`);
  const sizes = {
    bundle: (await stat(join(outDir, 'index.mjs'))).size,
    /** index.mjs and the chunks it imports statically: what every cold start parses. */
    atStart: [...staticallyImported(outputs, entry)].reduce((total, file) => total + outputs[file].bytes, 0),
    /** Every chunk, the ones loaded on demand included. */
    code: Object.values(outputs).reduce((total, output) => total + output.bytes, 0),
    static: await sizeOf(join(outDir, 'static')),
    /** The generated validators, each loaded when its route first validates a request. */
    validators: validators.bytes,
    zip: (await stat(zipFile)).size,
  };
  if (!quiet) {
    console.log(
      `built ${relative(root, join(outDir, 'index.mjs'))}: code loaded at start ${mib(sizes.atStart)}, with the chunks loaded on demand ${mib(sizes.code)}; ${validators.count} route validators ${mib(sizes.validators)}, each loaded on its route's first request (Swagger UI static files ${mib(sizes.static)})`,
    );
    console.log(`zipped ${relative(root, zipFile)}: ${mib(sizes.zip)} (handler: index.handler, runtime: nodejs24.x)`);
  }
  return { outDir, zipFile, sizes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildLambda();
}
