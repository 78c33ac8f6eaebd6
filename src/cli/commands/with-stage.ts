// `--stage` names the stage to deploy after the change. The route map may name one too
// (`deployStage`); the flag wins, and it goes in the body because the service lets the body's
// `deployStage` win over the query's.
import type { BulkApplyRequest } from '../../client/index.js';

export function withStage(body: BulkApplyRequest, stage: string | undefined): BulkApplyRequest {
  return stage === undefined ? body : { ...body, deployStage: stage };
}
