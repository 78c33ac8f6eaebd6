// npm run bench:probes — autocannon against GET /healthz of the server bundle as the container runs
// it (node dist/server/index.mjs, LOG_LEVEL=info to a discarded stdout, SQLite; a probe makes no AWS call), and
// against a bare `node:http` server answering the same body, in the same run. Each server process
// is pinned to one core (`taskset -c 0`) and autocannon to the other, so the ratio compares what
// one core serves. The two take turns (`--rounds`), so that a disturbance on this shared machine
// hits both; short runs, many rounds, and the median of the rounds' ratios is the figure.
// Target (issue 15): ≥ 0.8× the bare server.
//
//   npm run bench:probes -- --seconds 2 --connections 10 --rounds 9
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '9' },
  },
});
const duration = Number(values.seconds);
const connections = Number(values.connections);
const rounds = Math.max(1, Number(values.rounds));
const TARGET = 0.8;
const root = fileURLToPath(new URL('..', import.meta.url));
const SERVER_BUNDLE = join(root, 'dist/server/index.mjs');

/** The floor: Node's own HTTP server answering what /healthz answers. */
const BARE_SERVER = `require('node:http').createServer((q, s) => { s.setHeader('content-type', 'application/json; charset=utf-8'); s.end('{"status":"ok"}'); }).listen(Number(process.env.PORT), '127.0.0.1')`;

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

/** `taskset` when the machine has it and more than one core (else the server shares autocannon's core). */
const pin = (core: number, command: string[]): string[] =>
  existsSync('/usr/bin/taskset') || existsSync('/bin/taskset') ? ['taskset', '-c', String(core), ...command] : command;

async function startServer(args: string[], env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const [command, ...rest] = pin(0, [process.execPath, ...args]);
  const child = spawn(command!, rest, {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/healthz`;
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    const ok = await fetch(url).then((response) => response.status === 200, () => false);
    if (ok) return { url, child };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  throw new Error('the server did not answer within 20 s');
}

async function measure(url: string): Promise<number> {
  const result = await autocannon({ url, duration, connections });
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) throw new Error(`${failures} requests failed`);
  return result.requests.average;
}

const median = (numbers: number[]): number => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

execFileSync(process.execPath, [join(root, 'scripts/build-server.mjs'), '--if-stale'], { stdio: 'inherit' });
// autocannon runs here: keep it off the servers' core.
try {
  execFileSync('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' });
} catch {
  // No taskset or a single core: the figures still compare, less cleanly.
}

const dir = await mkdtemp(join(tmpdir(), 'gatewire-probes-'));
const gatewireEnv = {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  // Never called by a probe; an address that refuses, so nothing leaves the machine.
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  GATEWIRE_ACCOUNT_ID: '123456789012',
  GATEWIRE_AUDIT_URL: `sqlite:${join(dir, 'audit.db')}`,
  // Production's default: every request that is logged costs its two lines.
  LOG_LEVEL: 'info',
};
const servers: ChildProcess[] = [];
try {
  console.log(
    `probes: autocannon, ${connections} connections, ${duration} s per run after 2 s of warm-up, ${rounds} rounds; servers pinned to core 0, autocannon to core 1; node ${process.version}`,
  );
  const bare = await startServer(['-e', BARE_SERVER], {});
  const gatewire = await startServer([SERVER_BUNDLE], gatewireEnv);
  servers.push(bare.child, gatewire.child);
  // A warm-up, so that both are measured after V8 has optimised their paths.
  for (const { url } of [bare, gatewire]) await autocannon({ url, duration: 2, connections });
  const bareRates: number[] = [];
  const gatewireRates: number[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    bareRates.push(await measure(bare.url));
    gatewireRates.push(await measure(gatewire.url));
    console.log(`  round ${round}: bare node:http ${bareRates.at(-1)!.toFixed(0)} req/s, Gatewire /healthz ${gatewireRates.at(-1)!.toFixed(0)} req/s`);
  }
  const bareMedian = median(bareRates);
  const gatewireMedian = median(gatewireRates);
  // Each round's two runs are neighbours in time: their ratio is steadier than the medians' on a busy machine.
  const ratio = median(gatewireRates.map((rate, i) => rate / bareRates[i]!));
  console.log(`bare node:http server (one core): median ${bareMedian.toFixed(0)} req/s`);
  console.log(`Gatewire GET /healthz (one core, LOG_LEVEL=info): median ${gatewireMedian.toFixed(0)} req/s`);
  console.log(`/healthz / bare, median of the rounds' ratios: ${ratio.toFixed(2)}× (target ≥ ${TARGET}×: ${ratio >= TARGET ? 'met' : 'missed'})`);
} finally {
  for (const child of servers) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
}
