// The Lambda bundle's validators (scripts/build-lambda.mjs runs this as
// `node --import tsx scripts/write-lambda-validators.ts OUT_DIR`; the tests call it). It builds the
// Lambda app (createLambdaHandler, no AWS and no database: the services are wired, never called)
// with Ajv in @fastify/ajv-compiler's standalone write mode and the options of src/validation.ts,
// compiles every route part at ready(), and writes each part's generated code, bundled with the
// Ajv runtime helpers it requires as CommonJS, to OUT_DIR/<hash>.cjs, with OUT_DIR/index.json
// naming the file of each route part and the fingerprint of its schema
// (src/precompiled-validators.ts). Identical code is written once.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StandaloneValidator } from '@fastify/ajv-compiler';
import { build } from 'esbuild';
import { createInProcessLock } from '../src/audit/locks.js';
import { createMemoryAuditStore } from '../src/audit/memory-store.js';
import { loadConfig } from '../src/config.js';
import { createDependencies } from '../src/dependencies.js';
import { createLambdaHandler } from '../src/lambda-handler.js';
import { VALIDATOR_INDEX_FILE, schemaFingerprint, validatorKey, type ValidatorIndex } from '../src/precompiled-validators.js';
import { ajvValidators, type RouteSchemaPart } from '../src/validation.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The Ajv code of every route part of the Lambda app: file name → code, and the index. */
async function generate(): Promise<{ files: Map<string, string>; index: ValidatorIndex }> {
  const files = new Map<string, string>();
  const index: ValidatorIndex = { validators: {}, fingerprints: {} };
  const storeFunction = (routeSchema: RouteSchemaPart, code: string) => {
    const file = `${createHash('sha256').update(code).digest('hex').slice(0, 16)}.cjs`;
    files.set(file, code);
    const key = validatorKey(routeSchema);
    if (index.validators[key] !== undefined && index.validators[key] !== file) throw new Error(`two different validators for ${key}`);
    index.validators[key] = file;
    index.fingerprints[key] = schemaFingerprint(routeSchema.schema);
  };
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const auditStore = createMemoryAuditStore();
  const deps = await createDependencies(config, { audit: { store: auditStore, lock: createInProcessLock() } });
  try {
    const { app } = await createLambdaHandler({
      config,
      services: deps.services,
      auditStore,
      recovery: deps.recovery,
      logger: false,
      // Every validator compiled at ready(), through the standalone writer.
      compileSchemasEagerly: true,
      validators: () => ajvValidators({ lazy: false, factory: () => StandaloneValidator({ readMode: false, storeFunction } as never) as never }),
    });
    await app.close();
  } finally {
    await deps.close();
  }
  return { files, index };
}

/** Writes the validators to `outDir` (created; its previous content is left). */
export async function writeLambdaValidators(outDir: string): Promise<{ routeParts: number; files: number }> {
  const { files, index } = await generate();
  // The generated code requires Ajv's runtime helpers by package name: it is written next to
  // node_modules so that esbuild resolves them, then bundled into `outDir`.
  const staging = await mkdtemp(join(root, 'node_modules', '.gatewire-validators-'));
  try {
    for (const [file, code] of files) await writeFile(join(staging, file), code);
    await mkdir(outDir, { recursive: true });
    await build({
      entryPoints: [...files.keys()].map((file) => join(staging, file)),
      outdir: outDir,
      outExtension: { '.js': '.cjs' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      minify: true,
      logLevel: 'warning',
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  await writeFile(join(outDir, VALIDATOR_INDEX_FILE), `${JSON.stringify(index)}\n`);
  return { routeParts: Object.keys(index.validators).length, files: files.size };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const outDir = resolve(process.argv[2] ?? 'dist/lambda/validators');
  const written = await writeLambdaValidators(outDir);
  console.log(`wrote ${written.routeParts} route validators (${written.files} distinct) to ${outDir}`);
}
