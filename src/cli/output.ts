// Writing results: JSON for machines (`--json`, on stdout), text for people; problems go to
// stdout as JSON with `--json` (a pipeline reads one document), else to stderr as text.
import type { Problem } from '../client/index.js';
import { EXIT_FAILED } from './exit-codes.js';
import type { CliIo } from './io.js';
import { renderProblem } from './render/problem.js';

export interface OutputOptions {
  json: boolean;
}

export function writeResult<T>(io: CliIo, options: OutputOptions, value: T, render: (value: T) => string): void {
  io.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : render(value));
}

export function writeProblem(io: CliIo, options: OutputOptions, problem: Problem): number {
  if (options.json) io.stdout.write(`${JSON.stringify(problem, null, 2)}\n`);
  else io.stderr.write(renderProblem(problem));
  return EXIT_FAILED;
}
