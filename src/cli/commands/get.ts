// gatewire get <api> <route> [--target <name>]: one route's integration.
import { EXIT_OK } from '../exit-codes.js';
import { connect } from '../connect.js';
import type { CliIo } from '../io.js';
import { writeProblem, writeResult, type OutputOptions } from '../output.js';
import { asProblem } from '../render/problem.js';
import { renderRouteIntegration } from '../render/route-integration.js';
import { apiLabel } from './target.js';

export async function getCommand(io: CliIo, apiId: string, routeKey: string, options: OutputOptions & { target?: string }): Promise<number> {
  const client = connect(io);
  const { target } = options;
  const { data, error, response } =
    target === undefined
      ? await client.GET('/v1/apis/{apiId}/routes/{routeKey}/integration', { params: { path: { apiId, routeKey } } })
      : await client.GET('/v1/targets/{target}/apis/{apiId}/routes/{routeKey}/integration', { params: { path: { target, apiId, routeKey } } });
  if (!data) return writeProblem(io, options, asProblem(error, response.status, response.statusText));
  writeResult(io, options, data, (view) => renderRouteIntegration(view, apiLabel({ api: apiId, target })));
  return EXIT_OK;
}
