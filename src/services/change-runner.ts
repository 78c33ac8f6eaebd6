// The one path every change takes (DESIGN §3): read → plan → (dry run) → lock → audit pending →
// execute → compensate → audit final → respond. Routes and services never call AWS writes any
// other way.
import type { Actor } from '../domain/audit.js';
import { DomainError, isDomainError, validationError } from '../domain/errors.js';
import { failedPrecondition, type Preconditions } from '../domain/etag.js';
import { DEPLOYMENT_STEP_ID, deploymentStep, type PlanStep } from '../domain/plan.js';
import { executePlan } from './plan-executor.js';
import type { ApiGatewayPort, LambdaPort, ApiLock, AuditStore, AwsCall, AwsCallLog, Clock, IdGenerator, Stage } from './ports.js';

export interface ChangeContext {
  actor: Actor;
  requestId: string;
  idempotencyKey?: string;
  dryRun: boolean;
  /** If-Match / If-None-Match, checked against the state read under the lock (specs with `etagOf` only). */
  preconditions?: Preconditions;
  /** The stage to deploy once the change has run (DESIGN §2). */
  deployStage?: string;
}

export interface ChangeSpec<State> {
  action: string;
  apiId: string;
  routeKey?: string;
  /** The caller's request. The audit store the composition root builds redacts secrets on write. */
  request: unknown;
  /**
   * The state. After the change (`after` given) it is read again; what the change did may tell the
   * spec what to read alongside what (the ids of what it created).
   */
  read(after?: { before: State; createdIds: ReadonlyMap<string, string> }): Promise<State>;
  plan(state: State): PlanStep[];
  /** What the audit record keeps as "before" (defaults to the state). */
  describe?(state: State): unknown;
  /** The integration the change is about, once known. */
  integrationIdOf?(state: State, createdIds: ReadonlyMap<string, string>): string | undefined;
  /** The entity tag of the target in this state (undefined: it has none). Without it, preconditions are ignored. */
  etagOf?(state: State): string | undefined;
  /** Whether the target exists, for `If-Match: *` and `If-None-Match: *` (default: it has an entity tag). */
  exists?(state: State): boolean;
}

export type ChangeOutcome = 'planned' | 'unchanged' | 'applied';

/**
 * What happened on the `deployStage`: `deployed` (a new deployment), `planned` (a dry run would
 * deploy), `auto-deploys` (the stage deploys itself: Gatewire creates none), `not-needed` (nothing changed).
 */
export type DeploymentOutcome =
  | { stageName: string; status: 'deployed'; deploymentId: string }
  | { stageName: string; status: 'planned' | 'auto-deploys' | 'not-needed' };

export interface ChangeResult<State> {
  outcome: ChangeOutcome;
  plan: PlanStep[];
  auditId?: string;
  /** False when AWS changed but the final audit write failed: the record stays pending. */
  auditComplete: boolean;
  before: State;
  /** The state read after the change (equal to `before` when nothing ran). */
  after: State;
  createdIds: ReadonlyMap<string, string>;
  /** The target's entity tag after the change (specs with `etagOf`; absent when it has none). */
  etag?: string;
  /** Present when the context named a `deployStage`. */
  deployment?: DeploymentOutcome;
}

export interface ChangeRunnerDeps {
  apiGateway: ApiGatewayPort;
  lambda: LambdaPort;
  auditStore: AuditStore;
  apiLock: ApiLock;
  callLog: AwsCallLog;
  clock: Clock;
  ids: IdGenerator;
}

export type ChangeRunner = <State>(spec: ChangeSpec<State>, context: ChangeContext) => Promise<ChangeResult<State>>;

export function createChangeRunner(deps: ChangeRunnerDeps): ChangeRunner {
  const { apiGateway, lambda, auditStore, apiLock, callLog, clock, ids } = deps;

  /** The stage to deploy; an unknown one is the caller's mistake (400 on `deployStage`), not a 404. */
  async function readStage(apiId: string, stageName: string): Promise<Stage> {
    try {
      return await apiGateway.getStage(apiId, stageName);
    } catch (error) {
      if (isDomainError(error) && error.kind === 'not-found') {
        throw validationError([{ path: '/deployStage', message: `API ${apiId} has no stage ${stageName}` }]);
      }
      throw error;
    }
  }

  /** The change's state and the stage, read in parallel; the state's own failure (e.g. no such API) wins. */
  async function readWithStage<State>(spec: ChangeSpec<State>, context: ChangeContext): Promise<{ state: State; stage: Stage | undefined }> {
    const [state, stage] = await Promise.allSettled([
      spec.read(),
      context.deployStage === undefined ? Promise.resolve(undefined) : readStage(spec.apiId, context.deployStage),
    ]);
    if (state.status === 'rejected') throw state.reason;
    if (stage.status === 'rejected') throw stage.reason;
    return { state: state.value, stage: stage.value };
  }

  /** RFC 9110 §13.1: a failed precondition ends the change before planning: no AWS write, no audit record. */
  function checkPreconditions<State>(spec: ChangeSpec<State>, state: State, context: ChangeContext): void {
    if (!spec.etagOf || !context.preconditions) return;
    const etag = spec.etagOf(state);
    const failure = failedPrecondition(context.preconditions, { exists: spec.exists?.(state) ?? etag !== undefined, etag });
    if (failure) throw failure;
  }

  /** The change's own steps, then the deployment when there is something to deploy and the stage does not deploy itself. */
  function planWithDeployment<State>(spec: ChangeSpec<State>, state: State, stage: Stage | undefined, context: ChangeContext): PlanStep[] {
    const plan = spec.plan(state);
    if (plan.length === 0 || !stage || stage.autoDeploy) return plan;
    const description = `Gatewire ${spec.action} by ${context.actor.id} (request ${context.requestId})`.slice(0, 1024);
    return [...plan, deploymentStep(spec.apiId, stage.stageName, description)];
  }

  return async function runChange<State>(spec: ChangeSpec<State>, context: ChangeContext): Promise<ChangeResult<State>> {
    const describe = spec.describe ?? ((state: State) => state);
    const etagOf = (state: State) => spec.etagOf?.(state);
    const noChange = (outcome: ChangeOutcome, state: State, plan: PlanStep[], stage: Stage | undefined): ChangeResult<State> => {
      const etag = etagOf(state);
      const deployment = deploymentOutcome(stage, plan, new Map());
      return {
        outcome,
        plan,
        auditComplete: true,
        before: state,
        after: state,
        createdIds: new Map(),
        ...(etag !== undefined ? { etag } : {}),
        ...(deployment ? { deployment } : {}),
      };
    };

    if (context.dryRun) {
      // A dry run answers as the real change would: its preconditions are checked too.
      const { state, stage } = await readWithStage(spec, context);
      checkPreconditions(spec, state, context);
      const plan = planWithDeployment(spec, state, stage, context);
      return noChange(plan.length === 0 ? 'unchanged' : 'planned', state, plan, stage);
    }

    // State is read, checked and planned under the lock: another instance may have changed it since.
    return apiLock.withLock(spec.apiId, async () => {
      const started = clock.now();
      const awsCalls: AwsCall[] = [];
      const { state: before, stage } = await callLog.capture(awsCalls, () => readWithStage(spec, context));
      checkPreconditions(spec, before, context);
      const plan = planWithDeployment(spec, before, stage, context);
      if (plan.length === 0) return noChange('unchanged', before, plan, stage);

      const auditId = ids.next();
      // Fail closed: no AWS write without its pending record (DESIGN §3 step 6).
      await auditStore.appendPending({
        id: auditId,
        occurredAt: started.toISOString(),
        actor: context.actor,
        requestId: context.requestId,
        ...(context.idempotencyKey ? { idempotencyKey: context.idempotencyKey } : {}),
        action: spec.action,
        apiId: spec.apiId,
        ...(spec.routeKey !== undefined ? { routeKey: spec.routeKey } : {}),
        ...(spec.integrationIdOf?.(before, new Map()) ? { integrationId: spec.integrationIdOf(before, new Map()) } : {}),
        request: spec.request,
        plan,
        before: describe(before),
      });

      const execution = await callLog.capture(awsCalls, () => executePlan({ apiGateway, lambda }, plan));
      const createdIds = execution.status === 'succeeded' ? execution.createdIds : new Map<string, string>();
      let after = before;
      let afterReadError: unknown;
      try {
        after = await callLog.capture(awsCalls, () => spec.read({ before, createdIds }));
      } catch (error) {
        afterReadError = error;
      }
      const integrationId = spec.integrationIdOf?.(after, createdIds);
      const failure = execution.status === 'succeeded' ? undefined : toFailure(execution.error);
      let auditComplete = true;
      try {
        await auditStore.finalize(auditId, {
          status: execution.status,
          ...(integrationId ? { integrationId } : {}),
          after: afterReadError === undefined ? describe(after) : { unreadable: String(afterReadError) },
          awsCalls,
          ...(failure ? { error: { kind: failure.kind, message: failure.message, ...(failure.aws ? { aws: failure.aws } : {}) } } : {}),
          ...(execution.status !== 'succeeded' && execution.leftovers.length > 0 ? { leftovers: execution.leftovers } : {}),
          durationMs: clock.now().getTime() - started.getTime(),
        });
      } catch {
        // AWS has changed; the pending record stays for start-up recovery to mark interrupted.
        auditComplete = false;
      }

      if (failure) {
        failure.auditId = auditId;
        const failedStep = execution.status === 'succeeded' ? undefined : plan.find((step) => step.id === execution.failedStep);
        if (failedStep) failure.failedStep = { id: failedStep.id, description: failedStep.description };
        // The problem has no auditComplete field: its detail says it (issue 4: "the response says so").
        if (!auditComplete) failure.message += ` (the audit record ${auditId} stays pending: its final write failed)`;
        throw failure;
      }
      const etag = afterReadError === undefined ? etagOf(after) : undefined;
      const deployment = deploymentOutcome(stage, plan, createdIds);
      return {
        outcome: 'applied',
        plan,
        auditId,
        auditComplete,
        before,
        after,
        createdIds,
        ...(etag !== undefined ? { etag } : {}),
        ...(deployment ? { deployment } : {}),
      };
    });
  };
}

/** What the change did on its stage; `planned` while the deployment step has not run. */
function deploymentOutcome(stage: Stage | undefined, plan: PlanStep[], createdIds: ReadonlyMap<string, string>): DeploymentOutcome | undefined {
  if (!stage) return undefined;
  const { stageName } = stage;
  if (stage.autoDeploy) return { stageName, status: 'auto-deploys' };
  if (!plan.some((step) => step.id === DEPLOYMENT_STEP_ID)) return { stageName, status: 'not-needed' };
  const deploymentId = createdIds.get(DEPLOYMENT_STEP_ID);
  return deploymentId === undefined ? { stageName, status: 'planned' } : { stageName, status: 'deployed', deploymentId };
}

function toFailure(error: unknown): DomainError {
  return isDomainError(error) ? error : new DomainError('upstream', error instanceof Error ? error.message : String(error), { cause: error });
}
