// npm run bench:cold-start — the Lambda bundle's size, and the time from starting a fresh `node`
// process to the first response for a synthetic API Gateway event (GET /healthz, HTTP API v2):
// module load + config + PostgreSQL pool + migrations check + app.ready() + one invocation.
// Also the warm latency of a second event in the same process. Runs against the local
// PostgreSQL (GATEWIRE_TEST_POSTGRES_URL, else the OS user on 127.0.0.1:5432/test).
//
//   npm run bench:cold-start -- --runs 9 --build
//   npm run bench:cold-start -- --runs 9 --build --compare /tmp/main-cold --lambda-only
//
// --compare DIR: another checkout whose dist/gatewire-lambda.zip is built (e.g. `main`'s, with
// `npm run build:lambda` there): its cold starts take turns with this one's, run by run, so that a
// busy machine slows both alike; both medians and their difference are printed.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startFakeAws } from '../test/support/fake-aws/index.js';
import { CALLER_ARN, httpApiEvent } from '../test/support/lambda-events.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    build: { type: 'boolean', default: false },
    // Writes a V8 CPU profile of every cold start into this directory (summarise one with
    // `node bench/support/summarize-cpu-profile.mjs <file> dist/lambda`).
    'cpu-prof': { type: 'string' },
    // Measure the bundle already unpacked in this directory instead of dist/gatewire-lambda.zip.
    dir: { type: 'string' },
    // Another checkout with a built dist/gatewire-lambda.zip, measured turn about with this one.
    compare: { type: 'string' },
    // Skip the container-style starts.
    'lambda-only': { type: 'boolean', default: false },
  },
});
const runs = Math.max(5, Number(values.runs));
const root = fileURLToPath(new URL('..', import.meta.url));
const zipFile = join(root, 'dist/gatewire-lambda.zip');

const CHILD = `
const events = JSON.parse(process.argv[1]);
const importStartMs = performance.now();
const { handler } = await import(new URL('./index.mjs', 'file://' + process.cwd() + '/').href);
const importEndMs = performance.now();
for (const event of events) {
  const response = await handler(event, { awsRequestId: 'bench', getRemainingTimeInMillis: () => 30000 });
  const { user, system } = process.cpuUsage();
  const cpuMs = (user + system) / 1000;
  await new Promise((resolve) => process.stdout.write(JSON.stringify({ statusCode: response.statusCode, cpuMs, importStartMs, importEndMs, answeredMs: performance.now() }) + '\\n', resolve));
}
process.exit(0);
`;

interface Run {
  coldMs: number;
  /** CPU time (user + system) the process spent until the first answer: steadier than wall time on a busy machine. */
  coldCpuMs: number;
  /** From the process's start (its performance.timeOrigin): Node's own start, the bundle's import (load and init), the first event. */
  phases: { nodeMs: number; importMs: number; firstEventMs: number; outsideMs: number };
  warmMs: number;
}

function runOnce(dir: string, auditUrl: string, nodeOptions: string[] = []): Promise<Run> {
  // An AWS-backed answer: GET /v1/apis lists the fake's WebSocket APIs (GetApis), as an IAM caller.
  const listApis = () => httpApiEvent({ method: 'GET', url: '/v1/apis' }, { iam: { userArn: CALLER_ARN } });
  const events = [listApis(), listApis()];
  const started = performance.now();
  const profile = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : [];
  const child = spawn(process.execPath, [...nodeOptions, ...profile, '--input-type=module', '-e', CHILD, JSON.stringify(events)], {
    cwd: dir,
    env: {
      PATH: process.env['PATH'] ?? '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      GATEWIRE_AUDIT_URL: auditUrl,
      AWS_ENDPOINT_URL: fake.url,
      GATEWIRE_ACCOUNT_ID: fake.accountId,
      GATEWIRE_IAM_PRINCIPALS: JSON.stringify([{ principal: CALLER_ARN, scopes: ['read'] }]),
      GATEWIRE_LAMBDA_TRUSTED_APIS: '123456789012:abcdef1234',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const answeredAt: number[] = [];
  const cpuAt: number[] = [];
  let phases: Run['phases'] | undefined;
  let buffered = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (; buffered.includes('\n'); buffered = buffered.slice(buffered.indexOf('\n') + 1)) {
      const line = buffered.slice(0, buffered.indexOf('\n'));
      const answer = JSON.parse(line) as { statusCode: number; cpuMs: number; importStartMs: number; importEndMs: number; answeredMs: number };
      if (answer.statusCode !== 200) throw new Error(`unexpected answer ${line}`);
      phases ??= {
        nodeMs: answer.importStartMs,
        importMs: answer.importEndMs - answer.importStartMs,
        firstEventMs: answer.answeredMs - answer.importEndMs,
        // Spawning the process before its clock starts, and the answer's way back through the pipe.
        outsideMs: performance.now() - started - answer.answeredMs,
      };
      answeredAt.push(performance.now());
      cpuAt.push(answer.cpuMs);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => {
      const [cold, warm] = answeredAt;
      const [coldCpuMs] = cpuAt;
      if (code !== 0 || cold === undefined || warm === undefined || coldCpuMs === undefined) reject(new Error(`run failed (exit ${code}): ${stderr}`));
      else resolve({ coldMs: cold - started, coldCpuMs, phases: phases!, warmMs: warm - cold });
    }),
  );
}

/** A free port on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A bare `node:http` server answering 200: what Node itself needs to start and answer, the floor. */
const BARE_SERVER = "require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')";

/**
 * Starts a server process as the container does and returns the time from spawning it until
 * `path` answers 200. `env` adds to the container-like environment.
 */
async function timeToReady(args: string[], path: string, auditFile: string, env: Record<string, string> = {}): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      PATH: process.env['PATH'] ?? '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: fake.url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      PORT: String(port),
      GATEWIRE_AUDIT_URL: `sqlite:${auditFile}`,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}${path}`);
        if (response.status === 200) return performance.now() - started;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    child.kill('SIGKILL');
  }
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * Bytes of code in the unpacked bundle: what a cold start that answers the first event loads (its
 * static imports and the chunks it imports on demand on the way: `pg` on PostgreSQL), and in all.
 * One untimed run records the files the module loader resolves (a resolve hook of `module.register`)
 * and, as it exits, the CommonJS files `require` loaded (the route validators, loaded when a route
 * first validates: src/precompiled-validators.ts).
 */
async function codeSizes(dir: string, auditUrl: string): Promise<{ atStart: number; total: number }> {
  const files = (await readdir(dir, { recursive: true })).filter((file) => file.endsWith('.mjs') || file.endsWith('.cjs'));
  const hooks = join(dir, 'record-loaded-hooks.mjs');
  const loadedList = join(dir, 'loaded.txt');
  await writeFile(
    hooks,
    `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const resolved = await next(specifier, context);\n  if (resolved.url.startsWith('file:')) appendFileSync(${JSON.stringify(loadedList)}, resolved.url + '\\n');\n  return resolved;\n}\n`,
  );
  await writeFile(
    join(dir, 'record-loaded.mjs'),
    [
      `import { appendFileSync } from 'node:fs';`,
      `import { createRequire, register } from 'node:module';`,
      `import { pathToFileURL } from 'node:url';`,
      `register(${JSON.stringify(pathToFileURL(hooks).href)});`,
      `const required = createRequire(import.meta.url).cache;`,
      `process.on('exit', () => { for (const file of Object.keys(required)) appendFileSync(${JSON.stringify(loadedList)}, pathToFileURL(file).href + '\\n'); });`,
      '',
    ].join('\n'),
  );
  await runOnce(dir, auditUrl, ['--import', pathToFileURL(join(dir, 'record-loaded.mjs')).href]);
  const loaded = new Set((await readFile(loadedList, 'utf8')).split('\n').filter(Boolean).map((url) => fileURLToPath(url)));
  await rm(hooks);
  await rm(join(dir, 'record-loaded.mjs'));
  await rm(loadedList);
  let atStart = 0;
  let total = 0;
  for (const file of files) {
    const bytes = (await stat(join(dir, file))).size;
    total += bytes;
    if (loaded.has(join(dir, file))) atStart += bytes;
  }
  return { atStart, total };
}

const median = (numbers: number[]): number => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
const ms = (value: number): string => `${Math.round(value)} ms`;

if (values.build || !existsSync(zipFile)) execFileSync(process.execPath, [join(root, 'scripts/build-lambda.mjs')], { stdio: 'inherit' });

const fake = await startFakeAws();
fake.seedApi({ name: 'chat' });
const dir = await mkdtemp(join(tmpdir(), 'gatewire-bench-'));
const compareDir = values.compare ? await mkdtemp(join(tmpdir(), 'gatewire-bench-compare-')) : undefined;
const compareZip = values.compare ? join(values.compare, 'dist/gatewire-lambda.zip') : undefined;
const user = process.env['PGUSER'] ?? process.env['USER'] ?? userInfo().username;
const postgres = process.env['GATEWIRE_TEST_POSTGRES_URL'] ?? `postgres://${encodeURIComponent(user)}@127.0.0.1:5432/test`;
const schema = `bench_cold_start_${randomBytes(4).toString('hex')}`;
const compareSchema = `${schema}_compare`;
try {
  if (values.dir) await cp(values.dir, dir, { recursive: true });
  else execFileSync('unzip', ['-q', zipFile, '-d', dir]);
  await adminQuery(postgres, `create schema "${schema}"`);
  const url = new URL(postgres);
  url.searchParams.set('schema', schema);

  console.log(`node ${process.version}; ${runs} cold starts answering GET /v1/apis (HTTP API v2 event, GetApis on the fake AWS), audit on PostgreSQL`);

  const first = await runOnce(dir, url.toString());
  console.log(`first start (creates the audit tables): ${ms(first.coldMs)}`);
  const code = await codeSizes(dir, url.toString());
  const zipBytes = (await stat(zipFile)).size;
  console.log(
    `bundle: code loaded by a cold start to its first answer (index.mjs and the chunks it imports, pg's on PostgreSQL) ${mib(code.atStart)} (${(code.atStart / 1e6).toFixed(2)} MB; target ≤ 1.2 MB); all code ${mib(code.total)} (the route validators included); zip ${mib(zipBytes)} (with Swagger UI's static files and the source maps)`,
  );
  let compareUrl: string | undefined;
  if (compareDir && compareZip) {
    if (!existsSync(compareZip)) throw new Error(`${compareZip} is missing: run npm run build:lambda in ${values.compare}`);
    execFileSync('unzip', ['-q', compareZip, '-d', compareDir]);
    await adminQuery(postgres, `create schema "${compareSchema}"`);
    const other = new URL(postgres);
    other.searchParams.set('schema', compareSchema);
    compareUrl = other.toString();
    await runOnce(compareDir, compareUrl);
    const compareCode = await codeSizes(compareDir, compareUrl);
    console.log(
      `compared with ${values.compare}: code loaded by a cold start ${mib(compareCode.atStart)} (${(compareCode.atStart / 1e6).toFixed(2)} MB); all code ${mib(compareCode.total)}; zip ${mib((await stat(compareZip)).size)}`,
    );
  }
  const results: Run[] = [];
  const compared: Run[] = [];
  for (let i = 0; i < runs; i += 1) {
    // Turn about, each going first every other run.
    if (compareDir && compareUrl && i % 2 === 1) compared.push(await runOnce(compareDir, compareUrl));
    results.push(await runOnce(dir, url.toString()));
    if (compareDir && compareUrl && i % 2 === 0) compared.push(await runOnce(compareDir, compareUrl));
  }
  const summarise = (label: string, set: Run[]) => {
    const cold = set.map((run) => run.coldMs);
    const warm = set.map((run) => run.warmMs);
    console.log(`${label}cold start to first response: median ${ms(median(cold))} (min ${ms(Math.min(...cold))}, max ${ms(Math.max(...cold))}); target ≤ 250 ms`);
    const phase = (name: keyof Run['phases']) => ms(median(set.map((run) => run.phases[name])));
    console.log(
      `  of which (medians): Node's own start ${phase('nodeMs')}, importing the bundle (load, parse, init) ${phase('importMs')}, the first event ${phase('firstEventMs')}, spawning and the pipe ${phase('outsideMs')}`,
    );
    const cpu = set.map((run) => run.coldCpuMs);
    console.log(`  CPU time to first response: median ${ms(median(cpu))} (min ${ms(Math.min(...cpu))}, max ${ms(Math.max(...cpu))})`);
    console.log(`  warm invocation (second event, same process): median ${median(warm).toFixed(1)} ms`);
  };
  summarise(compareDir ? 'this checkout: ' : '', results);
  if (compared.length > 0) {
    summarise(`${values.compare}: `, compared);
    const pairs = results.map((run, i) => run.coldMs - compared[i]!.coldMs);
    console.log(`difference per pair (this − compared), median ${ms(median(pairs))}; ${runs} pairs, interleaved`);
  }
  if (!values['lambda-only']) {
    // Container-style: the server bundle the image runs (scripts/build-server.mjs) until /readyz
    // answers 200, next to a bare node:http server (Node's own floor) in the same run. Node 22.1+
    // also keeps V8's compiled code between starts (NODE_COMPILE_CACHE, as the image sets it).
    execFileSync(process.execPath, [join(root, 'scripts/build-server.mjs'), '--if-stale'], { stdio: 'inherit' });
    const report = (label: string, times: number[]) =>
      console.log(`${label}: median ${ms(median(times))} (min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))})`);
    const startsOf = async (args: string[], path: string, env?: Record<string, string>) => {
      const times: number[] = [];
      for (let i = 0; i < runs; i += 1) times.push(await timeToReady(args, path, join(dir, `audit-${i}.db`), env));
      return times;
    };
    report('container-style start, bare node:http server to its first 200 (the floor)', await startsOf(['-e', BARE_SERVER], '/'));
    report('container-style start (node dist/server/index.mjs, SQLite) to /readyz 200 (target ≤ 500 ms)', await startsOf([join(root, 'dist/server/index.mjs')], '/readyz'));
    // Typed for Node 20 (@types/node 20), which has no compile cache.
    if (typeof (await import('node:module') as { enableCompileCache?: unknown }).enableCompileCache === 'function') {
      const cache = join(dir, 'compile-cache');
      await timeToReady([join(root, 'dist/server/index.mjs')], '/readyz', join(dir, 'audit-cache.db'), { NODE_COMPILE_CACHE: cache });
      report('  the same with a warm NODE_COMPILE_CACHE', await startsOf([join(root, 'dist/server/index.mjs')], '/readyz', { NODE_COMPILE_CACHE: cache }));
    } else {
      console.log(`  (node ${process.version} has no compile cache: NODE_COMPILE_CACHE needs Node 22.1 or later)`);
    }
  }
} finally {
  await fake.close();
  await adminQuery(postgres, `drop schema if exists "${schema}" cascade`).catch(() => {});
  if (compareDir) {
    await adminQuery(postgres, `drop schema if exists "${compareSchema}" cascade`).catch(() => {});
    await rm(compareDir, { recursive: true, force: true });
  }
  await rm(dir, { recursive: true, force: true });
}
