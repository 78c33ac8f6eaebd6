// gatewire plan <file> --api <id> [--target <name>] [--stage <name>]: the dry run of a bulk apply, as a diff.
import { isAccepted } from '../../client/index.js';
import { EXIT_OK } from '../exit-codes.js';
import { connect } from '../connect.js';
import type { CliIo } from '../io.js';
import { writeProblem, writeResult, type OutputOptions } from '../output.js';
import { readRouteMap } from '../route-map-file.js';
import { asProblem } from '../render/problem.js';
import { renderPlan } from '../render/plan-diff.js';
import { apiLabel } from './target.js';
import { withStage } from './with-stage.js';

export interface PlanOptions extends OutputOptions {
  api: string;
  /** The target (GET /v1/targets) whose API it is; absent: the paths without one (`default`). */
  target?: string;
  stage?: string;
}

export async function planCommand(io: CliIo, file: string, options: PlanOptions): Promise<number> {
  const body = withStage(await readRouteMap(file, io.cwd), options.stage);
  const client = connect(io);
  const { target, api: apiId } = options;
  const { data, error, response } =
    target === undefined
      ? await client.PUT('/v1/apis/{apiId}/routes', { params: { path: { apiId }, query: { dryRun: true } }, body })
      : await client.PUT('/v1/targets/{target}/apis/{apiId}/routes', { params: { path: { target, apiId }, query: { dryRun: true } }, body });
  if (!data) return writeProblem(io, options, asProblem(error, response.status, response.statusText));
  // A dry run answers at once, whatever the wait bound: a 202 here is not Gatewire's.
  if (isAccepted(data, response)) return writeProblem(io, options, asProblem(undefined, response.status, 'A dry run was answered 202 Accepted'));
  writeResult(io, options, data, (change) => renderPlan(apiLabel(options), change));
  return EXIT_OK;
}
