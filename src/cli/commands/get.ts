// gatewire get <api> <route>: one route's integration.
import { EXIT_OK } from '../exit-codes.js';
import { connect } from '../connect.js';
import type { CliIo } from '../io.js';
import { writeProblem, writeResult, type OutputOptions } from '../output.js';
import { asProblem } from '../render/problem.js';
import { renderRouteIntegration } from '../render/route-integration.js';

export async function getCommand(io: CliIo, apiId: string, routeKey: string, options: OutputOptions): Promise<number> {
  const { data, error, response } = await connect(io).GET('/v1/apis/{apiId}/routes/{routeKey}/integration', {
    params: { path: { apiId, routeKey } },
  });
  if (!data) return writeProblem(io, options, asProblem(error, response.status, response.statusText));
  writeResult(io, options, data, renderRouteIntegration);
  return EXIT_OK;
}
