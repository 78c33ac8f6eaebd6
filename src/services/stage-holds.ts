// The facts of the stage rule (DESIGN §4): a statement nothing needs any more stays while a stage
// without autoDeploy still runs a deployment made before the statement stopped being needed. The
// audit trail says which functions the API's integrations invoked and until when; GetStages and
// GetDeployment say when each stage was last deployed. Stages are read only when a statement is
// about to go.
import type { AuditRecord } from '../domain/audit.js';
import { parseLambdaInvocationUri } from '../domain/lambda-reference.js';
import { policyKey, policyOwnerOf, statementKey, type StageDeployment, type StageHoldInput, type StaleStatement } from '../domain/permissions.js';
import type { ApiGatewayPort, AuditStore, Clock } from './ports.js';

/** How many of an API's latest records are searched. */
export const TRAIL_SEARCH_LIMIT = 1000;
const PAGE_SIZE = 100;
/** Records of changes that changed something (failed and rolled-back ones did not). */
const CHANGED_SOMETHING = ['succeeded', 'partial', 'pending', 'interrupted'] as const;

/** A function (and qualifier) an integration of the API invoked before some change, by the trail. */
export interface TrailUse {
  functionArn: string;
  qualifier?: string;
  accountId: string;
  /**
   * ISO-8601 UTC: the end of the latest change whose state before it had an integration invoking
   * it. If nothing invokes it now, it stopped being needed then or earlier (never later).
   */
  lastUsedAt: string;
  /** The deployment that change made after its API Gateway steps (`deployStage`), if any. */
  deploymentId?: string;
}

/** Trail uses by policy key (the qualified function ARN). */
export type TrailUses = ReadonlyMap<string, TrailUse>;

export interface StageHoldReaderDeps {
  apiGateway: Pick<ApiGatewayPort, 'listStages' | 'getDeployment'>;
  auditStore: Pick<AuditStore, 'list'>;
  clock: Clock;
}

export function createStageHoldReader({ apiGateway, auditStore, clock }: StageHoldReaderDeps) {
  /** Every stage, with when its current deployment was made (autoDeploy stages need no GetDeployment). */
  async function readStages(apiId: string): Promise<StageDeployment[]> {
    const stages = await apiGateway.listStages(apiId);
    return Promise.all(
      stages.map(async (stage): Promise<StageDeployment> => {
        const base = { stageName: stage.stageName, autoDeploy: stage.autoDeploy };
        if (stage.autoDeploy || stage.deploymentId === undefined) return base;
        const deployment = await apiGateway.getDeployment(apiId, stage.deploymentId);
        return { ...base, deployment: { deploymentId: deployment.deploymentId, createdDate: deployment.createdDate } };
      }),
    );
  }

  /**
   * The Lambda functions the API's integrations invoked before each of its latest changes (newest
   * first, failed and rolled-back changes left out: they changed nothing). No AWS call.
   */
  async function trailUses(apiId: string): Promise<TrailUses> {
    const uses = new Map<string, TrailUse>();
    let cursor: string | undefined;
    for (let searched = 0; searched < TRAIL_SEARCH_LIMIT; searched += PAGE_SIZE) {
      // Chosen in the database, with the columns the rule reads: no plans, AWS calls or errors.
      const page = await auditStore.list({ apiId, limit: PAGE_SIZE, statuses: CHANGED_SOMETHING, fields: 'trail', ...(cursor ? { cursor } : {}) });
      for (const record of page.items) {
        for (const uri of integrationUris(record.before)) {
          const parsed = parseLambdaInvocationUri(uri);
          if (!parsed || parsed.usesStageVariables) continue;
          const owner = policyOwnerOf(parsed);
          const key = policyKey(owner.functionArn, owner.qualifier);
          if (uses.has(key)) continue;
          const deploymentId = deploymentMadeBy(record);
          uses.set(key, {
            ...owner,
            accountId: parsed.accountId,
            lastUsedAt: endOf(record),
            ...(deploymentId !== undefined ? { deploymentId } : {}),
          });
        }
      }
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return uses;
  }

  return {
    trailUses,

    /**
     * What decides whether `stale` may go. `releasedNow`: the statement keys this change stops
     * needing (unused from now on); the others stopped being needed when the trail last saw their
     * function invoked (`uses`, read here when not given); a statement the trail knows nothing of
     * was let go outside Gatewire, and no stage holds it. No stale statement: no read at all.
     */
    async read(
      apiId: string,
      stale: readonly StaleStatement[],
      releasedNow: ReadonlySet<string> = new Set(),
      uses?: TrailUses,
    ): Promise<StageHoldInput | undefined> {
      if (stale.length === 0) return undefined;
      const now = clock.now().toISOString();
      const unusedSince = new Map<string, string>();
      const deployedWithRelease = new Map<string, string[]>();
      const earlier = stale.filter((statement) => !releasedNow.has(statementKey(statement)));
      const trail = earlier.length > 0 ? (uses ?? (await trailUses(apiId))) : new Map<string, TrailUse>();
      for (const statement of stale) {
        const key = statementKey(statement);
        if (releasedNow.has(key)) {
          unusedSince.set(key, now);
          continue;
        }
        const use = trail.get(policyKey(statement.functionArn, statement.qualifier));
        if (use) unusedSince.set(key, use.lastUsedAt);
        if (use?.deploymentId !== undefined) deployedWithRelease.set(key, [use.deploymentId]);
      }
      // Nothing known to have stopped being needed at a given time: no stage can hold it, no stage read.
      if (unusedSince.size === 0) return undefined;
      return { unusedSince, deployedWithRelease, stages: await readStages(apiId) };
    },
  };

  function endOf(record: AuditRecord): string {
    return record.finishedAt ?? clock.now().toISOString();
  }
}

/** The deployment a change made on its `deployStage` (its answer says `deployed`), if any. */
function deploymentMadeBy(record: AuditRecord): string | undefined {
  const body = record.result?.body;
  if (typeof body !== 'object' || body === null || !('deployment' in body)) return undefined;
  const deployment = body.deployment;
  if (typeof deployment !== 'object' || deployment === null || !('deploymentId' in deployment)) return undefined;
  return typeof deployment.deploymentId === 'string' ? deployment.deploymentId : undefined;
}

/** Every `integrationUri` string in a record's state, however the action shapes it. */
function integrationUris(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) integrationUris(item, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'integrationUri' && typeof inner === 'string') found.push(inner);
      else integrationUris(inner, found);
    }
  }
  return found;
}

export type StageHoldReader = ReturnType<typeof createStageHoldReader>;
