// What a CLI run reads and writes, passed in rather than taken from `process`, so that tests run
// the CLI in-process with their own environment and capture its output.
export type Output = NodeJS.WritableStream & { isTTY?: boolean };

export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  /** Route map paths are relative to it. */
  cwd: string;
  /** Results: the readable report, or the JSON document with `--json`. */
  stdout: Output;
  /** Progress and problems for people. */
  stderr: Output;
}

export function processIo(): CliIo {
  return { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr };
}
