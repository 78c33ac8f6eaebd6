// npm run bench:overhead — what Gatewire adds to a route change, and the AWS calls each kind of
// change makes (issue 15). For a Lambda proxy route with its invoke permission (a new route and a
// new function each time), against the fake with a fixed latency injected into every AWS call
// (0 ms and 20 ms) and no pacing on either side (Gatewire's limiter off), it measures PUT
// …/routes/{routeKey}/integration over HTTP through Gatewire (audit on a SQLite file, on
// PostgreSQL, and on SQLite in memory) against the same AWS calls made directly with the SDK in
// this script, two ways:
//   - the direct sequence: one dependency step after another, as a script makes them (the routes,
//     then the policy, then the writes).
//   - the direct sequence with Gatewire's concurrency (the policy read alongside the routes): the
//     same rounds as Gatewire, so the difference is Gatewire's own cost (HTTP, validation,
//     planning, the lock, the audit store's commits).
// The audit store's commits (pending record, journal, final record) are timed per change, so the
// added p50 is printed twice: with them (the durable journal) and without (Gatewire's code alone),
// with the journal's own cost per change beside it. SQLite in memory is not a configuration anyone
// should run: the difference to the file is what durability costs.
//
//   npm run bench:overhead -- --changes 40
import { GetRoutesCommand, CreateIntegrationCommand, CreateRouteCommand } from '@aws-sdk/client-apigatewayv2';
import { AddPermissionCommand, GetPolicyCommand } from '@aws-sdk/client-lambda';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { TEST_API_KEY } from '../test/support/build-test-app.js';
import { startFakeAws, type FakeAws } from '../test/support/fake-aws/index.js';
import { apiGatewayClientFor, lambdaClientFor } from '../test/support/fake-aws/sdk-clients.js';
import { createTestSchema } from '../test/support/postgres.js';
import { listeningGatewire, type CommitCounts } from './support/listening-gatewire.js';

const { values } = parseArgs({ options: { changes: { type: 'string', default: '40' } } });
const changes = Number(values.changes);
const WARM_UP = 5;

/**
 * The calls a route change makes once the API's protocol type is known (its first change reads
 * GetApi too), in any order (Gatewire runs the two reads side by side). Nothing is read after the
 * writes: they answer with the resources (issue 15).
 */
const EXPECTED_CALLS = ['GetRoutes GetPolicy', 'AddPermission CreateIntegration CreateRoute'].join(' ').split(' ').sort().join(' ');

/** Issue 15's targets: AWS calls per kind of single-route change, permission calls included. */
const CALL_TARGETS = { create: 5, update: 6, delete: 5, 'no-op PUT': 3 } as const;

const teardowns: (() => unknown)[] = [];
const teardownContext = { teardown: (fn: () => unknown) => teardowns.push(fn) };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

interface Runner {
  label: string;
  /** One route change; returns its latency in ms and the AWS calls it made. */
  change(i: number): Promise<number>;
  sequence: string;
  /** Gatewire: the audit store's commits per change (the journal's among them), and their time. */
  commits?: { perChange: number[]; journalPerChange: number[]; journalMs: number[]; storeMs: number[] };
  close(): Promise<void>;
}

async function gatewireRunner(fake: FakeAws, label: string, auditUrl: string): Promise<Runner> {
  const { address, close, commits } = await listeningGatewire(fake, auditUrl);
  const apiId = fake.seedApi({ name: label });
  const total = (counts: CommitCounts) => Object.values(counts).reduce((sum, kind) => sum + kind.count, 0);
  const totalMs = (counts: CommitCounts) => Object.values(counts).reduce((sum, kind) => sum + kind.ms, 0);
  const runner: Runner = {
    label: `Gatewire, audit on ${label}`,
    sequence: '',
    commits: { perChange: [], journalPerChange: [], journalMs: [], storeMs: [] },
    async change(i) {
      const arn = fake.seedFunction({ name: `gw-${apiId}-${i}` });
      const callsBefore = fake.calls.length;
      const before = commits();
      const started = performance.now();
      const response = await fetch(`${address}/v1/apis/${apiId}/routes/route${i}/integration`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY },
        body: JSON.stringify({ backend: { type: 'lambda', function: arn } }),
      });
      await response.arrayBuffer();
      const elapsed = performance.now() - started;
      if (response.status !== 200) throw new Error(`PUT answered ${response.status}`);
      const after = commits();
      runner.commits!.perChange.push(total(after) - total(before));
      runner.commits!.journalPerChange.push(after.appendJournal.count - before.appendJournal.count);
      runner.commits!.journalMs.push(after.appendJournal.ms - before.appendJournal.ms);
      runner.commits!.storeMs.push(totalMs(after) - totalMs(before));
      runner.sequence = fake.calls
        .slice(callsBefore)
        .map((call) => call.operation)
        .sort()
        .join(' ');
      return elapsed;
    },
    close,
  };
  return runner;
}

/** `concurrent`: the policy read alongside the routes, as Gatewire does; else after them. */
function directRunner(fake: FakeAws, concurrent: boolean): Runner {
  const apiGateway = apiGatewayClientFor(fake);
  const lambda = lambdaClientFor(fake);
  const apiId = fake.seedApi({ name: 'direct' });
  return {
    label: concurrent ? "direct SDK sequence with Gatewire's concurrency" : 'direct SDK sequence',
    sequence: EXPECTED_CALLS,
    async change(i) {
      const arn = fake.seedFunction({ name: `direct-${apiId}-${i}` });
      const started = performance.now();
      const readRoutes = () => apiGateway.send(new GetRoutesCommand({ ApiId: apiId, MaxResults: '500' }));
      const readPolicy = () => lambda.send(new GetPolicyCommand({ FunctionName: arn })).catch(() => undefined);
      if (concurrent) {
        await Promise.all([readRoutes(), readPolicy()]);
      } else {
        await readRoutes();
        await readPolicy();
      }
      await lambda.send(
        new AddPermissionCommand({
          FunctionName: arn,
          StatementId: `direct-${apiId}`,
          Action: 'lambda:InvokeFunction',
          Principal: 'apigateway.amazonaws.com',
          SourceArn: `arn:aws:execute-api:${fake.region}:${fake.accountId}:${apiId}/*`,
        }),
      );
      const integration = await apiGateway.send(
        new CreateIntegrationCommand({
          ApiId: apiId,
          IntegrationType: 'AWS_PROXY',
          IntegrationMethod: 'POST',
          IntegrationUri: `arn:aws:apigateway:${fake.region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
        }),
      );
      await apiGateway.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: `route${i}`, Target: `integrations/${integration.IntegrationId}` }));
      return performance.now() - started;
    },
    async close() {
      apiGateway.destroy();
      lambda.destroy();
    },
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gatewire-overhead-'));
  teardowns.push(() => rm(dir, { recursive: true, force: true }));
  const postgres = await createTestSchema(teardownContext as never, 'bench_overhead');
  await printCallsPerKind();
  console.log(`overhead: ${changes} route changes (Lambda proxy with permission) per case, after ${WARM_UP} warm-up changes`);
  for (const latencyMs of [0, 20]) {
    const fake = await startFakeAws();
    if (latencyMs > 0) fake.inject({ fault: 'latency', latencyMs });
    const runners = [
      directRunner(fake, false),
      directRunner(fake, true),
      await gatewireRunner(fake, 'SQLite', `sqlite:${join(dir, `audit-${latencyMs}.db`)}`),
      await gatewireRunner(fake, 'PostgreSQL', postgres.url),
      // Not a configuration to run: it shows what the two durable audit writes cost (their fsyncs).
      await gatewireRunner(fake, 'SQLite in memory', 'sqlite::memory:'),
    ];
    const samples = runners.map(() => [] as number[]);
    // They take turns, change by change, so that load on the machine falls on all alike.
    for (let i = 0; i < changes + WARM_UP; i++) {
      for (const [index, runner] of runners.entries()) {
        const elapsed = await runner.change(i);
        if (i >= WARM_UP) samples[index]!.push(elapsed);
      }
    }
    const direct = summary(samples[0]!);
    const concurrent = summary(samples[1]!);
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    const versus = (value: number, base: number) => `${(value / base).toFixed(3)}, ${value >= base ? '+' : ''}${(value - base).toFixed(2)} ms`;
    console.log(`  ${latencyMs} ms per AWS call: direct SDK sequence p50 ${ms(direct.p50)}, p99 ${ms(direct.p99)}`);
    console.log(`    ${runners[1]!.label}: p50 ${ms(concurrent.p50)}, p99 ${ms(concurrent.p99)}`);
    for (const [index, runner] of runners.entries()) {
      if (index < 2) continue;
      const gatewire = summary(samples[index]!);
      console.log(
        `    ${runner.label}: p50 ${ms(gatewire.p50)} (ratio ${versus(gatewire.p50, direct.p50)}; with the same concurrency ${versus(gatewire.p50, concurrent.p50)}), p99 ${ms(gatewire.p99)} (ratio ${(gatewire.p99 / direct.p99).toFixed(3)})`,
      );
      if (runner.commits) {
        const { perChange, journalPerChange, journalMs, storeMs } = runner.commits;
        const measured = storeMs.slice(WARM_UP);
        const journal = summary(journalMs.slice(WARM_UP));
        const store = summary(measured);
        // Per change: its latency less the time it spent in the audit store's commits.
        const withoutStore = summary(samples[index]!.map((elapsed, n) => elapsed - measured[n]!));
        console.log(
          `      audit commits per change: ${perChange.at(-1)} (pending record, ${journalPerChange.at(-1)} journal commits, final record); ` +
            `the journal's cost per change (all its commits) p50 ${ms(store.p50)} (p99 ${ms(store.p99)}), of which the step commits p50 ${ms(journal.p50)}`,
        );
        const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(2)} ms`;
        console.log(
          `      added p50 at ${latencyMs} ms over the same calls made directly with the same concurrency: with the durable journal ${signed(gatewire.p50 - concurrent.p50)}; ` +
            `excluding the journal's commits ${signed(withoutStore.p50 - concurrent.p50)}${latencyMs === 0 ? ' (target ≤ 2 ms)' : ''}; ` +
            `over the direct sequence, excluding the journal ${signed(withoutStore.p50 - direct.p50)}`,
        );
      }
      if (runner.sequence !== EXPECTED_CALLS) {
        console.log(`    note: Gatewire's calls differ from the direct sequence's: ${runner.sequence}`);
      }
    }
    for (const runner of runners) await runner.close();
    await fake.close();
  }
}

/**
 * The AWS calls of each kind of single-route change through Gatewire, once the API's protocol type
 * is known: a create (a function given by ARN), an update (a timeout), a no-op PUT (the same
 * backend again) and a delete (the route's integration removed, with its statement).
 */
async function printCallsPerKind(): Promise<void> {
  const fake = await startFakeAws();
  const gatewire = await listeningGatewire(fake, 'sqlite::memory:');
  try {
    const apiId = fake.seedApi({ name: 'calls' });
    const url = (routeKey: string) => `${gatewire.address}/v1/apis/${apiId}/routes/${routeKey}/integration`;
    const send = async (method: string, routeKey: string, body?: object) => {
      const response = await fetch(url(routeKey), {
        method,
        headers: { 'x-api-key': TEST_API_KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${method} answered ${response.status}`);
    };
    const warm = fake.seedFunction({ name: 'calls-warm' });
    await send('PUT', 'warm', { backend: { type: 'lambda', function: warm } });
    const arn = fake.seedFunction({ name: 'calls-chat' });
    const kinds: [keyof typeof CALL_TARGETS, () => Promise<void>][] = [
      ['create', () => send('PUT', 'send', { backend: { type: 'lambda', function: arn } })],
      ['update', () => send('PUT', 'send', { backend: { type: 'lambda', function: arn }, timeoutInMillis: 1000 })],
      ['no-op PUT', () => send('PUT', 'send', { backend: { type: 'lambda', function: arn }, timeoutInMillis: 1000 })],
      ['delete', () => send('DELETE', 'send')],
    ];
    console.log('AWS calls per kind of change (permission calls included; the API already known):');
    for (const [kind, run] of kinds) {
      fake.resetCalls();
      await run();
      const operations = fake.calls.map((call) => call.operation);
      const target = CALL_TARGETS[kind];
      console.log(`  ${kind}: ${operations.length} calls (target ≤ ${target}, ${operations.length <= target ? 'met' : 'missed'}): ${operations.join(' ')}`);
    }
  } finally {
    await gatewire.close();
    await fake.close();
  }
}

try {
  await main();
} finally {
  for (const fn of teardowns.reverse()) await fn();
}
