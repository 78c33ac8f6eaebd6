// A Gatewire server (src/server.ts) in a process of its own, as a container runs it: for the tests
// that kill, stop or restart instances. Its JSON log lines are collected; `address` is where it
// listens once it says so.
import { spawn, type ChildProcess } from 'node:child_process';
import { TEST_API_KEYS_ENV } from './build-test-app.js';
import type { FakeAws } from './fake-aws/index.js';
import type { TestContext } from './tap.js';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface ServerProcess {
  child: ChildProcess;
  address: string;
  logs: Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/**
 * Starts src/server.ts (or `entry`, e.g. the server bundle) against the fake, with the test admin
 * key; resolves once it listens.
 */
export async function startServerProcess(
  t: Pick<TestContext, 'teardown'>,
  fake: FakeAws,
  env: Record<string, string>,
  entry: string[] = ['--import', 'tsx', 'src/server.ts'],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, entry, {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      PORT: '0',
      HOST: '127.0.0.1',
      AWS_REGION: fake.region,
      AWS_ENDPOINT_URL: fake.url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      GATEWIRE_ACCOUNT_ID: fake.accountId,
      GATEWIRE_AWS_MAX_ATTEMPTS: '1',
      GATEWIRE_API_KEYS: TEST_API_KEYS_ENV,
      GATEWIRE_APIGATEWAY_RATE: '0',
      GATEWIRE_LAMBDA_RATE: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const logs: Record<string, unknown>[] = [];
  const address = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        logs.push(entry);
        const match = /^Server listening at (http:\/\/\S+)$/.exec(String(entry['msg'] ?? ''));
        if (match?.[1]) resolve(match[1]);
      }
    });
    void exited.then(({ code }) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
  return { child, address, logs, exited, stderr: () => stderr };
}

/** Resolves once `predicate` holds, checking every 20 ms; rejects after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
