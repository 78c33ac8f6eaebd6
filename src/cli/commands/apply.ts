// gatewire apply <file> --api <id> [--target <name>] [--stage <name>]: the bulk apply, followed to its end.
// It always asks `Prefer: respond-async`, so a change of any length answers 202 at once with the
// change as it stands, and its progress comes from GET /v1/changes/{id}; a change with nothing to
// do answers 200 directly.
import { followChange, isAccepted, type BulkApplyChange } from '../../client/index.js';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.js';
import { connect } from '../connect.js';
import type { CliIo } from '../io.js';
import { writeProblem, writeResult, type OutputOptions } from '../output.js';
import { createProgressDisplay } from '../progress.js';
import { readRouteMap } from '../route-map-file.js';
import { renderApplyResult } from '../render/apply-result.js';
import { asProblem } from '../render/problem.js';
import { apiLabel } from './target.js';
import { withStage } from './with-stage.js';

export interface ApplyOptions extends OutputOptions {
  api: string;
  /** The target (GET /v1/targets) whose API it is; absent: the paths without one (`default`). */
  target?: string;
  stage?: string;
  /** Time between two polls of the change. */
  pollMs: number;
}

export async function applyCommand(io: CliIo, file: string, options: ApplyOptions): Promise<number> {
  const body = withStage(await readRouteMap(file, io.cwd), options.stage);
  const client = connect(io);
  const { target, api: apiId } = options;
  const headers = { prefer: 'respond-async' };
  const { data, error, response } =
    target === undefined
      ? await client.PUT('/v1/apis/{apiId}/routes', { params: { path: { apiId } }, body, headers })
      : await client.PUT('/v1/targets/{target}/apis/{apiId}/routes', { params: { path: { target, apiId } }, body, headers });
  if (!data) return writeProblem(io, options, asProblem(error, response.status, response.statusText));
  if (!isAccepted(data, response)) return done(io, options, data);

  // 202: the body is the change as it stands, the first view of its progress.
  const changeId = data.changeId;
  const progress = createProgressDisplay(io.stderr, `change ${changeId}`);
  progress.update(data);
  const followed = await followChange(client, changeId, { intervalMs: options.pollMs, onUpdate: (change) => progress.update(change) });
  progress.stop();
  if (followed.problem) return writeProblem(io, options, followed.problem);
  const { result, status } = followed.change;
  if (!result) {
    io.stderr.write(`Error: change ${changeId} ended ${status} without an answer; see GET /v1/changes/${changeId}\n`);
    return EXIT_FAILED;
  }
  if (result.status >= 400) return writeProblem(io, options, asProblem(result.body, result.status));
  return done(io, options, result.body as BulkApplyChange);
}

function done(io: CliIo, options: ApplyOptions, change: BulkApplyChange): number {
  writeResult(io, options, change, (value) => renderApplyResult(apiLabel(options), value));
  return EXIT_OK;
}
