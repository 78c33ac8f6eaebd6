// The CLI as a function: arguments and io in, exit code out (bin/gatewire.mjs calls it with the
// process's). Bad input (exit 2) is found before any request; a failed request or change exits 1.
import { CommanderError } from 'commander';
import { BadInput, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK } from './exit-codes.js';
import type { CliIo } from './io.js';
import { buildProgram } from './program.js';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    // Commander has printed its message (or the help, which exits 0).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
    if (error instanceof BadInput) {
      io.stderr.write(`gatewire: ${error.message}\n`);
      return EXIT_BAD_INPUT;
    }
    io.stderr.write(`gatewire: ${unreachable(error, io) ?? (error instanceof Error ? error.message : String(error))}\n`);
    return EXIT_FAILED;
  }
}

/** fetch's "fetch failed" says nothing; its cause names the network error (ECONNREFUSED, ENOTFOUND, a timeout). */
function unreachable(error: unknown, io: CliIo): string | undefined {
  if (!(error instanceof TypeError) || error.message !== 'fetch failed') return undefined;
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return `could not reach Gatewire at ${io.env['GATEWIRE_URL']}: ${cause?.code ?? cause?.message ?? 'network error'}`;
}
