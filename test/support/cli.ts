// Running the gatewire CLI in tests: in-process (runCli with captured output, fast) against a
// Gatewire that listens on a real socket over the wire-level fake AWS, and route map files in a
// temporary folder.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/main.js';
import { buildTestApp, TEST_API_KEY, type TestApp, type TestAppOptions } from './build-test-app.js';
import type { TestContext } from './tap.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ListeningGatewire extends TestApp {
  /** GATEWIRE_URL and GATEWIRE_API_KEY of this Gatewire. */
  env: Record<string, string>;
}

export async function startListeningGatewire(t: Pick<TestContext, 'teardown'>, options: TestAppOptions = {}): Promise<ListeningGatewire> {
  const ctx = await buildTestApp(t, options);
  const url = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  return { ...ctx, env: { GATEWIRE_URL: url, GATEWIRE_API_KEY: TEST_API_KEY } };
}

/** Runs the CLI in this process with exactly `env` (no process.env) and non-TTY output. */
export async function runGatewire(argv: string[], options: { env: Record<string, string>; cwd: string }): Promise<CliRun> {
  const stdout = collector();
  const stderr = collector();
  const code = await runCli(argv, { env: options.env, cwd: options.cwd, stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** A temporary folder for route map files, removed on teardown. */
export async function routeMapFolder(t: Pick<TestContext, 'teardown'>): Promise<{ dir: string; write(name: string, content: unknown): Promise<string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'gatewire-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return {
    dir,
    async write(name, content) {
      await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
      return name;
    },
  };
}

function collector(): { stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}
