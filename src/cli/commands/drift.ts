// gatewire drift --api <id>: the live API against what Gatewire last applied.
import { EXIT_OK } from '../exit-codes.js';
import { connect } from '../connect.js';
import type { CliIo } from '../io.js';
import { writeProblem, writeResult, type OutputOptions } from '../output.js';
import { renderDrift } from '../render/drift.js';
import { asProblem } from '../render/problem.js';

export async function driftCommand(io: CliIo, options: OutputOptions & { api: string }): Promise<number> {
  const { data, error, response } = await connect(io).GET('/v1/apis/{apiId}/drift', { params: { path: { apiId: options.api } } });
  if (!data) return writeProblem(io, options, asProblem(error, response.status, response.statusText));
  writeResult(io, options, data, renderDrift);
  return EXIT_OK;
}
