#!/usr/bin/env node
// npm run build: bundles the container server (src/server.ts) with esbuild into dist/server/.
//   node scripts/build-server.mjs             always builds
//   node scripts/build-server.mjs --if-stale  builds only when a source is newer than the bundle
//                                             (`npm start` runs this: a restart does not rebuild)
//   --out-dir <dir>                           elsewhere than dist/server (inside the checkout)
//
// Why a bundle: a process start was mostly Node resolving, reading and compiling hundreds of
// module files one by one (issue 17). One file, parsed once, starts in a fraction of that.
//   dist/server/index.mjs   the server, ESM, with the code it always runs
//   dist/server/chunks/     code reached only through a dynamic import, loaded when first needed
// Left in node_modules (the image keeps the production dependencies): better-sqlite3 and
// pg-native (native), and Swagger UI, which serves static files that sit next to its own module.
import { readdir, rm, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NATIVE_EXTERNAL, SHARED_BUILD_OPTIONS } from './esbuild-shared.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
export const SERVER_OUT_DIR = join(root, 'dist/server');
export const SERVER_BUNDLE = join(SERVER_OUT_DIR, 'index.mjs');

export const SERVER_EXTERNAL = [...NATIVE_EXTERNAL, '@fastify/swagger-ui'];

/** What the bundle is made from: a change to any of these makes it stale. */
const INPUTS = ['src', 'package-lock.json', 'tsconfig.json', 'scripts/build-server.mjs', 'scripts/esbuild-shared.mjs'];

async function newestModification(path) {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestModification(join(path, entry)));
  return newest;
}

export async function serverBundleIsStale(bundle = SERVER_BUNDLE) {
  const built = await stat(bundle).then((info) => info.mtimeMs, () => undefined);
  if (built === undefined) return true;
  for (const input of INPUTS) {
    if ((await newestModification(join(root, input))) > built) return true;
  }
  return false;
}

/** `outDir` must sit inside the checkout: the bundle finds its external modules in node_modules. */
export async function buildServer({ outDir = SERVER_OUT_DIR, quiet = false } = {}) {
  const started = performance.now();
  // Loaded only to build: `npm start` with a fresh bundle skips esbuild's ~200 ms load.
  const { build } = await import('esbuild');
  await rm(outDir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { index: join(root, 'src/server.ts') },
    outdir: outDir,
    ...SHARED_BUILD_OPTIONS,
    external: SERVER_EXTERNAL,
    // Not minified: a server's stack traces should read as the sources do. Names are kept for them.
    keepNames: true,
    sourcemap: 'linked',
  });
  if (!quiet) {
    const bytes = Object.entries(result.metafile.outputs)
      .filter(([file]) => file.endsWith('.mjs'))
      .reduce((total, [, output]) => total + output.bytes, 0);
    console.log(
      `built ${relative(root, join(outDir, 'index.mjs'))} (${(bytes / 1024 / 1024).toFixed(2)} MiB of code) in ${Math.round(performance.now() - started)} ms`,
    );
  }
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { 'if-stale': { type: 'boolean', default: false }, 'out-dir': { type: 'string' } } });
  const outDir = values['out-dir'] ? resolve(values['out-dir']) : SERVER_OUT_DIR;
  if (!values['if-stale'] || (await serverBundleIsStale(join(outDir, 'index.mjs')))) await buildServer({ outDir });
}
