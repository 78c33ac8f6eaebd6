// npm run bench:first-validation — what a fresh process pays to validate its first route
// integration PUT (the intent body, the largest schema): Ajv compiling the schema at run time (the
// server, and the Lambda build before the validators were generated at build time) against
// loading the code Ajv generated for the Lambda bundle (src/precompiled-validators.ts). Each
// measure runs in a fresh process, the two take turns, and the medians are printed.
//
//   npm run bench:first-validation -- --runs 9
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const validatorsDir = join(root, 'dist/lambda/validators');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' }, child: { type: 'string' } } });
const BODY = { backend: { type: 'http' } };

/** In a fresh process: the route part as the app hands it to the compiler, then one mode's first two validations. */
async function measureInChild(mode: 'ajv' | 'generated'): Promise<void> {
  const { buildApp } = await import('../src/app.js');
  const { createInProcessLock } = await import('../src/audit/locks.js');
  const { createMemoryAuditStore } = await import('../src/audit/memory-store.js');
  const { loadConfig } = await import('../src/config.js');
  const { createDependencies } = await import('../src/dependencies.js');
  const { SERVER_EXTRAS } = await import('../src/plugins/server-extras.js');
  const { precompiledValidators } = await import('../src/precompiled-validators.js');
  const { COMPONENT_SCHEMAS } = await import('../src/schemas/components.js');
  const { runtimeAjvValidators } = await import('../src/validation.js');
  type Part = Parameters<ReturnType<ReturnType<typeof runtimeAjvValidators>>>[0];
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const auditStore = createMemoryAuditStore();
  const deps = await createDependencies(config, { audit: { store: auditStore, lock: createInProcessLock() } });
  let part: Part | undefined;
  const capture = () => () => (candidate: Part) => {
    if (candidate.method === 'PUT' && candidate.url === '/v1/apis/:apiId/routes/:routeKey/integration' && candidate.httpPart === 'body') part = candidate;
    return () => true;
  };
  const app = await buildApp({ config, services: deps.services, auditStore, logger: false, extras: { ...SERVER_EXTRAS, validators: capture } });
  await app.ready();
  await app.close();
  await deps.close();
  if (!part) throw new Error('the route integration PUT has no body schema');
  const externals = Object.fromEntries(COMPONENT_SCHEMAS.map((schema) => [(schema as { $id?: string }).$id, schema]));
  const started = performance.now();
  const compilers = mode === 'ajv' ? runtimeAjvValidators({ lazy: true }) : precompiledValidators(validatorsDir)({ lazy: true });
  const validate = compilers(externals)(part);
  validate(structuredClone(BODY));
  const first = performance.now() - started;
  const again = performance.now();
  validate(structuredClone(BODY));
  process.stdout.write(`${JSON.stringify({ firstMs: first, secondMs: performance.now() - again })}\n`);
}

const median = (numbers: number[]) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

if (values.child === 'ajv' || values.child === 'generated') {
  await measureInChild(values.child);
} else {
  if (!existsSync(join(validatorsDir, 'index.json'))) execFileSync(process.execPath, [join(root, 'scripts/build-lambda.mjs')], { stdio: 'inherit' });
  const runs = Number(values.runs);
  const results: Record<'ajv' | 'generated', { firstMs: number; secondMs: number }[]> = { ajv: [], generated: [] };
  for (let run = 0; run < runs; run++) {
    for (const mode of run % 2 === 0 ? (['ajv', 'generated'] as const) : (['generated', 'ajv'] as const)) {
      const output = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', mode], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
      results[mode].push(JSON.parse(output.trim().split('\n').at(-1)!) as { firstMs: number; secondMs: number });
    }
  }
  console.log(`node ${process.version}; ${runs} fresh processes each, taking turns; the first route integration PUT body a process validates (Ajv's module already loaded in both)`);
  for (const mode of ['ajv', 'generated'] as const) {
    const label = mode === 'ajv' ? 'Ajv compiling at run time (server)' : 'code generated at build (Lambda)';
    const firsts = results[mode].map((result) => result.firstMs);
    console.log(
      `${label}: first validation median ${median(firsts).toFixed(1)} ms (min ${Math.min(...firsts).toFixed(1)}, max ${Math.max(...firsts).toFixed(1)}), the next ${median(results[mode].map((result) => result.secondMs)).toFixed(3)} ms`,
    );
  }
}
