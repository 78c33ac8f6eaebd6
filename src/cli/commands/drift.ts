// gatewire drift --api <id> [--target <name>]: the live API against what Gatewire last applied.
import { EXIT_OK } from '../exit-codes.js';
import { connect } from '../connect.js';
import type { CliIo } from '../io.js';
import { writeProblem, writeResult, type OutputOptions } from '../output.js';
import { renderDrift } from '../render/drift.js';
import { asProblem } from '../render/problem.js';
import { apiLabel } from './target.js';

export async function driftCommand(io: CliIo, options: OutputOptions & { api: string; target?: string }): Promise<number> {
  const client = connect(io);
  const { target, api: apiId } = options;
  // Without --target, the path of before targets: a newer CLI still drives an older Gatewire.
  const { data, error, response } =
    target === undefined
      ? await client.GET('/v1/apis/{apiId}/drift', { params: { path: { apiId } } })
      : await client.GET('/v1/targets/{target}/apis/{apiId}/drift', { params: { path: { target, apiId } } });
  if (!data) return writeProblem(io, options, asProblem(error, response.status, response.statusText));
  writeResult(io, options, data, (report) => renderDrift(report, apiLabel(options)));
  return EXIT_OK;
}
