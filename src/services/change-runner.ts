// The one path every change takes (DESIGN §3), top to bottom:
//   read → plan (the change's API Gateway steps, then the Lambda permission stage around them) →
//   (dry run: answer) → lock → recover what a dead owner left on this API → read and plan again
//   under the lock → journal the pending record with an owner lease → execute (each step
//   journaled) → compensate on failure → finalise with the answer.
// A change is an operation, not a request: the caller may stop waiting (routes/change-answer.ts
// answers 202), the owner may hand it over at a step boundary (shutdown, the end of a Lambda
// invocation), and another instance takes over what a dead owner left (change-recovery.ts).
import type { Actor, AuditRecord, ChangeResultRecord, PendingChange } from '../domain/audit.js';
import type { ChangeAction, RecordedStateOf } from '../domain/change-record.js';
import { DomainError, isDomainError, validationError } from '../domain/errors.js';
import { failedPrecondition, type Preconditions } from '../domain/etag.js';
import { DEPLOYMENT_STEP_ID, deploymentStep, type PlanStep } from '../domain/plan.js';
import { problemFromDomainError } from '../domain/problem.js';
import type { ChangeTracker } from './change-tracker.js';
import type { PermissionPlanOptions } from './permission-planner.js';
import type { PermissionReport } from './permission-service.js';
import type { PermissionStage, PermissionStageRunner } from './permission-stage.js';
import { executePlan, type ExecutionOutcome } from './plan-executor.js';
import { JournalWriter } from './journal-writer.js';
import type { ApiGatewayPort, LambdaPort, ApiLock, AuditStore, AwsCall, AwsCallLog, Clock, IdGenerator, Stage } from './ports.js';

export interface ChangeContext {
  actor: Actor;
  /** A JWT caller's scope claim values, for the guardrail policies that select callers by them. */
  tokenScopes?: readonly string[];
  requestId: string;
  idempotencyKey?: string;
  dryRun: boolean;
  /** If-Match / If-None-Match, checked against the state read under the lock (specs with `etagOf` only). */
  preconditions?: Preconditions;
  /** The stage to deploy once the change has run (DESIGN §2). */
  deployStage?: string;
  /** The caller's side of the wait (routes/change-answer.ts); absent: the caller waits for the end. */
  caller?: ChangeCaller;
  /** The answer's body as the caller receives it (its response schema), so that the record keeps exactly that. */
  normalizeBody?(status: number, body: unknown): unknown;
}

/** How a waiting caller and the running change meet. */
export interface ChangeCaller {
  /** Right before the pending record is written: false when the caller has given up (nothing may start). */
  claimStart(): boolean;
  /**
   * The change is journaled as `changeId` (`pending`: the record as written): from now on the
   * caller may answer 202 and poll.
   */
  started(changeId: string, pending: PendingChange): void;
  /** Epoch ms: past it the change stops at its next step boundary and is handed over (Lambda). */
  handOverAt?: number;
}

/** The answer a change gives its caller; kept with the record (GET /v1/changes/{id}). */
export type ChangeResponse = ChangeResultRecord;

interface ChangeSpecBase<State> {
  apiId: string;
  routeKey?: string;
  /** The caller's request. The audit store the composition root builds redacts secrets on write. */
  request: unknown;
  /**
   * The state. After the change (`after` given) the spec may build it from what the writes answered
   * (`resources`, by step id: each Create/Update call answers with the whole resource) or read it
   * again; what the change did tells it what to read alongside what (the ids of what it created).
   */
  read(after?: ChangeAftermath<State>): Promise<State>;
  /**
   * The state after a successful change built from what its writes answered alone, when they tell
   * all of it (no AWS call); undefined: `read(after)` reads it.
   */
  derive?(after: ChangeAftermath<State>): State | undefined;
  /**
   * The change's own steps; the permission stage and the deployment are the runner's.
   * `options.deployingStage`: the stage the runner deploys after them (not an autoDeploy one).
   */
  plan(state: State, options: PermissionPlanOptions): PlanStep[];
  /** The Lambda permission stage (permission-stage.ts); absent: the change wires no function. */
  permissions?: PermissionStage<State>;
  /** The integration the change is about, once known. */
  integrationIdOf?(state: State, createdIds: ReadonlyMap<string, string>): string | undefined;
  /** The entity tag of the target in this state (undefined: it has none). Without it, preconditions are ignored. */
  etagOf?(state: State): string | undefined;
  /** Whether the target exists, for `If-Match: *` and `If-None-Match: *` (default: it has an entity tag). */
  exists?(state: State): boolean;
  /** The answer for this result: the status, body and headers the caller gets. */
  present(result: ChangeResult<State>): ChangeResponse;
  /** Integration ids the API had when it was planned (a lost create's answer is then found exactly). */
  knownIntegrationIds?(state: State): string[] | undefined;
  /** The guardrail policy that allowed the change (DESIGN §4a), named in its record. */
  guardrailPolicy?: string;
}

/** What each kind of change keeps in its record as `before` and `after` (domain/change-record.ts). */
export type RecordedState<Action extends ChangeAction = ChangeAction> = RecordedStateOf<PermissionReport>[Action];

/**
 * A change: what it reads, plans and answers, and, by its action, what its record keeps of the
 * state before and after it (`describe`; `createdIds`: the ids the change created, none before it).
 */
export type ChangeSpec<State> = {
  [Action in ChangeAction]: ChangeSpecBase<State> & {
    action: Action;
    describe(state: State, createdIds: ReadonlyMap<string, string>): RecordedState<Action>;
  };
}[ChangeAction];

/** What a change's writes left: the spec's `read` builds the after-state from it. */
export interface ChangeAftermath<State> {
  before: State | undefined;
  createdIds: ReadonlyMap<string, string>;
  /** The plan that ran (all of it: the change succeeded), absent when unknown. */
  plan?: readonly PlanStep[];
  /** What each write answered with, for the steps this instance ran; absent when the change did not succeed. */
  resources?: ReadonlyMap<string, unknown>;
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
  /** The state before (undefined only for a change finished by another instance that could not read it). */
  before: State;
  /** The state read after the change (equal to `before` when nothing ran). */
  after: State;
  createdIds: ReadonlyMap<string, string>;
  /** The target's entity tag after the change (specs with `etagOf`; absent when it has none). */
  etag?: string;
  /** Present when the context named a `deployStage`. */
  deployment?: DeploymentOutcome;
}

/** A run's result with its answer. */
export type ChangeRun<State> = ChangeResult<State> & { response: ChangeResponse };

/**
 * The change goes on without this caller: it was handed over at a step boundary, or another
 * instance owns it now. The caller answers 202 with its location.
 */
export class ChangeContinuesElsewhere extends Error {
  override name = 'ChangeContinuesElsewhere';
  constructor(
    readonly changeId: string,
    readonly apiId: string,
  ) {
    super(`change ${changeId} goes on in another instance or invocation`);
  }
}

/** Rebuilds a change's spec from its record, so that another instance can finish it (roll forward). */
export type ChangeKindResolver = (record: AuditRecord) => ChangeSpec<unknown> | undefined;

export class ChangeKinds {
  private readonly kinds = new Map<string, ChangeKindResolver>();
  register(action: ChangeAction, resolve: ChangeKindResolver): void {
    this.kinds.set(action, resolve);
  }
  specOf(record: AuditRecord): ChangeSpec<unknown> | undefined {
    return this.kinds.get(record.action)?.(record);
  }
}

export interface ChangeRunnerDeps {
  apiGateway: ApiGatewayPort;
  lambda: LambdaPort;
  auditStore: AuditStore;
  apiLock: ApiLock;
  callLog: AwsCallLog;
  clock: Clock;
  ids: IdGenerator;
  /** This instance, as change owners are named. */
  owner: string;
  /** How long an owner holds a change without renewing (DESIGN §3). */
  leaseMs: number;
  /** How long a change may run before it stops at a step boundary and compensates. */
  deadlineMs: number;
  tracker: ChangeTracker;
  /** Plans the Lambda permission steps of the changes that declare the stage. */
  permissions: PermissionStageRunner;
  /** Recovers what dead owners left on an API, before a new change to it is planned (change-recovery.ts). */
  recoverOrphans(apiId: string): Promise<void>;
}

export type ChangeRunner = <State>(spec: ChangeSpec<State>, context: ChangeContext) => Promise<ChangeRun<State>>;

/** What a running change needs in order to be finished (by its owner or by another instance). */
export interface ChangeInFlight<State> {
  spec: ChangeSpec<State>;
  changeId: string;
  requestId: string;
  plan: PlanStep[];
  before: State | undefined;
  stage: Stage | undefined;
  awsCalls: AwsCall[];
  startedAt: number;
  writer: JournalWriter;
  normalizeBody?: ChangeContext['normalizeBody'];
}

export function createChangeRunner(deps: ChangeRunnerDeps) {
  const { apiGateway, lambda, auditStore, apiLock, callLog, clock, ids, tracker, permissions } = deps;

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

  /**
   * Read, check and plan — the same for a dry run and a real one, so that the plan a dry run shows
   * is the plan a real run executes: the change's own steps, the permission steps around them, and
   * the deployment when there is something to deploy and the stage does not deploy itself.
   */
  async function readAndPlan<State>(spec: ChangeSpec<State>, context: ChangeContext): Promise<{ state: State; stage: Stage | undefined; plan: PlanStep[] }> {
    const prefetched = permissions.prefetch(spec.permissions);
    const read = await readWithStage(spec, context);
    checkPreconditions(spec, read.state, context);
    const deploying = read.stage && !read.stage.autoDeploy ? read.stage : undefined;
    const options = deploying ? { deployingStage: deploying.stageName } : {};
    const { state, steps } = await permissions.plan(spec.apiId, spec.permissions, read.state, spec.plan(read.state, options), prefetched, options);
    return { state, stage: read.stage, plan: withDeployment(spec, steps, deploying, context) };
  }

  /**
   * The deployment goes before the first step that cannot be undone, so that a failed deployment
   * still rolls the whole change back (DESIGN §3 step 3), and before the first permission removal,
   * so that the stage never runs an integration whose statement is gone (DESIGN §4: the plan may
   * remove statements only that deployment lets go).
   */
  function withDeployment<State>(spec: ChangeSpec<State>, plan: PlanStep[], deploying: Stage | undefined, context: ChangeContext): PlanStep[] {
    if (plan.length === 0 || !deploying) return plan;
    const description = `Gatewire ${spec.action} by ${context.actor.id} (request ${context.requestId})`.slice(0, 1024);
    const deployment = deploymentStep(spec.apiId, deploying.stageName, description);
    const at = plan.findIndex((step) => !step.compensation || step.operation === 'RemovePermission');
    return at === -1 ? [...plan, deployment] : [...plan.slice(0, at), deployment, ...plan.slice(at)];
  }

  /** The state after the change: built from the writes' answers when they tell all of it, else read. */
  async function readAfter<State>(spec: ChangeSpec<State>, aftermath: ChangeAftermath<State>): Promise<State> {
    const derived = spec.derive?.(aftermath);
    if (derived !== undefined) return derived;
    const prefetched = permissions.prefetch(spec.permissions);
    return permissions.after(spec.apiId, spec.permissions, await spec.read(aftermath), prefetched);
  }

  function noChange<State>(spec: ChangeSpec<State>, outcome: ChangeOutcome, state: State, plan: PlanStep[], stage: Stage | undefined): ChangeRun<State> {
    const etag = spec.etagOf?.(state);
    const deployment = deploymentOutcome(stage, plan, new Map());
    const result: ChangeResult<State> = {
      outcome,
      plan,
      auditComplete: true,
      before: state,
      after: state,
      createdIds: new Map(),
      ...(etag !== undefined ? { etag } : {}),
      ...(deployment ? { deployment } : {}),
    };
    return { ...result, response: spec.present(result) };
  }

  const runChange: ChangeRunner = async <State>(spec: ChangeSpec<State>, context: ChangeContext): Promise<ChangeRun<State>> => {
    if (context.dryRun) {
      // A dry run answers as the real change would: its preconditions are checked too.
      const { state, stage, plan } = await readAndPlan(spec, context);
      return noChange(spec, plan.length === 0 ? 'unchanged' : 'planned', state, plan, stage);
    }
    if (tracker.stopping) throw new DomainError('audit-unavailable', 'this instance is shutting down; retry on another one', { retryAfterSeconds: 1 });

    // State is read, checked and planned under the lock: another instance may have changed it since.
    const inFlight = await apiLock.withLock(spec.apiId, async () => {
      // A change a dead owner left on this API is finished or undone first: planning on top of
      // half of someone else's change would build on sand.
      await deps.recoverOrphans(spec.apiId);
      const startedAt = clock.now().getTime();
      const awsCalls: AwsCall[] = [];
      const { state: before, stage, plan } = await callLog.capture(awsCalls, () => readAndPlan(spec, context));
      if (plan.length === 0) return noChange(spec, 'unchanged', before, plan, stage);
      if (context.caller && !context.caller.claimStart()) {
        throw new DomainError('deadline-exceeded', 'the change could not start within the wait bound; nothing was changed', { retryAfterSeconds: 1 });
      }

      const known = spec.knownIntegrationIds?.(before);
      const changeId = ids.next();
      const writer = new JournalWriter({ store: auditStore, clock, changeId, owner: deps.owner, leaseMs: deps.leaseMs });
      // Fail closed: no AWS write without its pending record (DESIGN §3 step 6).
      const pending: PendingChange = {
        id: changeId,
        occurredAt: new Date(startedAt).toISOString(),
        actor: context.actor,
        requestId: context.requestId,
        ...(context.idempotencyKey ? { idempotencyKey: context.idempotencyKey } : {}),
        action: spec.action,
        apiId: spec.apiId,
        ...(spec.routeKey !== undefined ? { routeKey: spec.routeKey } : {}),
        ...(spec.integrationIdOf?.(before, new Map()) ? { integrationId: spec.integrationIdOf(before, new Map()) } : {}),
        request: spec.request,
        plan,
        before: spec.describe(before, new Map()),
        ...(known ? { known: { integrationIds: known } } : {}),
        ...(spec.guardrailPolicy !== undefined ? { guardrailPolicy: spec.guardrailPolicy } : {}),
        lease: writer.lease(),
        deadlineAt: new Date(startedAt + deps.deadlineMs).toISOString(),
      };
      await auditStore.appendPending(pending);
      context.caller?.started(changeId, pending);
      tracker.add({ changeId, apiId: spec.apiId, handOverAt: context.caller?.handOverAt });
      try {
        const flight: ChangeInFlight<State> = {
          spec,
          changeId,
          requestId: context.requestId,
          plan,
          before,
          stage,
          awsCalls,
          startedAt,
          writer,
          ...(context.normalizeBody ? { normalizeBody: context.normalizeBody } : {}),
        };
        const deadline = startedAt + deps.deadlineMs;
        const execution = await runSteps(flight, deadline, known);
        return await settleExecution(flight, execution);
      } finally {
        tracker.remove(changeId);
      }
    });
    return inFlight;
  };

  /** Executes the plan with the journal, renewing the lease meanwhile. */
  async function runSteps<State>(
    flight: ChangeInFlight<State>,
    deadline: number,
    knownIntegrationIds: string[] | undefined,
    resume?: Pick<Parameters<typeof executePlan>[0], 'facts' | 'fromRecord'>,
  ): Promise<ExecutionOutcome> {
    const { writer, changeId } = flight;
    writer.startRenewing();
    try {
      return await callLog.capture(flight.awsCalls, () =>
        executePlan({
          ports: { apiGateway, lambda },
          plan: flight.plan,
          journal: writer,
          ...resume,
          known: knownIntegrationIds ? { integrationIds: new Set(knownIntegrationIds) } : {},
          calls: flight.awsCalls,
          stopReason: () => {
            const now = clock.now().getTime();
            if (now >= deadline) return 'deadline';
            return tracker.shouldHandOver(changeId, now) ? 'hand-over' : undefined;
          },
        }),
      );
    } finally {
      writer.stopRenewing();
    }
  }

  /**
   * What a change's execution comes to: the after-state, the answer and the final record — or, when
   * it goes on elsewhere or cannot be journaled, the signal for its caller.
   */
  async function settleExecution<State>(flight: ChangeInFlight<State>, execution: ExecutionOutcome): Promise<ChangeRun<State>> {
    const { spec, changeId, writer } = flight;
    if (execution.status === 'handed-over' || execution.status === 'lease-lost') throw new ChangeContinuesElsewhere(changeId, spec.apiId);
    if (execution.status === 'stalled') {
      // No write may follow a journal that did not commit; the lease runs out and recovery
      // (here or elsewhere) undoes what ran once the store answers again.
      throw new DomainError(
        'audit-unavailable',
        `audit store unavailable: change ${changeId} stopped before its next AWS write and will be undone once the store answers`,
        { cause: execution.error, retryAfterSeconds: 5 },
      );
    }
    const createdIds = execution.status === 'succeeded' ? execution.createdIds : new Map<string, string>();
    let after = flight.before;
    let afterReadError: unknown;
    try {
      const aftermath: ChangeAftermath<State> =
        execution.status === 'succeeded'
          ? { before: flight.before, createdIds, plan: flight.plan, resources: execution.resources }
          : { before: flight.before, createdIds };
      after = await callLog.capture(flight.awsCalls, () => readAfter(spec, aftermath));
    } catch (error) {
      afterReadError = error;
    }
    const failure = execution.status === 'succeeded' ? undefined : toFailure(execution.error);
    let result: ChangeResult<State> | undefined;
    let response: ChangeResponse;
    if (failure) {
      failure.auditId = changeId;
      const failedStep = execution.status === 'succeeded' ? undefined : flight.plan.find((step) => step.id === execution.failedStep);
      if (failedStep) failure.failedStep = { id: failedStep.id, description: failedStep.description };
      response = problemResponse(failure, flight.requestId);
    } else {
      const etag = afterReadError === undefined && after !== undefined ? spec.etagOf?.(after) : undefined;
      const deployment = deploymentOutcome(flight.stage, flight.plan, createdIds);
      result = {
        outcome: 'applied',
        plan: flight.plan,
        auditId: changeId,
        auditComplete: true,
        before: flight.before as State,
        after: after as State,
        createdIds,
        ...(etag !== undefined ? { etag } : {}),
        ...(deployment ? { deployment } : {}),
      };
      response = spec.present(result);
      if (flight.normalizeBody) response = { ...response, body: flight.normalizeBody(response.status, response.body) };
    }
    const integrationId = after !== undefined ? spec.integrationIdOf?.(after, createdIds) : undefined;
    let auditComplete = true;
    const lastEntries = writer.takeForFinal();
    try {
      await auditStore.finalize(
        changeId,
        {
          status: execution.status,
          ...(integrationId ? { integrationId } : {}),
          after: afterReadError !== undefined ? { unreadable: String(afterReadError) } : after === undefined ? undefined : spec.describe(after, createdIds),
          awsCalls: flight.awsCalls,
          ...(failure ? { error: { kind: failure.kind, message: failure.message, ...(failure.aws ? { aws: failure.aws } : {}) } } : {}),
          ...(execution.status !== 'succeeded' && execution.leftovers.length > 0 ? { leftovers: execution.leftovers } : {}),
          durationMs: clock.now().getTime() - flight.startedAt,
          result: response,
        },
        { owner: writer.owner, journal: lastEntries },
      );
    } catch (error) {
      if (isDomainError(error) && error.kind === 'lease-lost') throw new ChangeContinuesElsewhere(changeId, spec.apiId);
      // AWS has changed; the pending record's lease runs out and recovery finalises it. What the
      // journal would have said with the final write, it says now if the store takes it: recovery
      // then knows every step ran, and finishes the change rather than undoing it.
      auditComplete = false;
      writer.requeue(lastEntries);
      await writer.commit().catch(() => undefined);
    }
    if (failure) {
      // The problem has no auditComplete field: its detail says it (issue 4: "the response says so").
      if (!auditComplete) failure.message += ` (the audit record ${changeId} stays pending: its final write failed)`;
      throw failure;
    }
    const applied = { ...result!, auditComplete };
    return { ...applied, response: auditComplete ? response : spec.present(applied) };
  }

  return { runChange, runSteps, settleExecution };
}

export type ChangeRunnerInternals = ReturnType<typeof createChangeRunner>;

/** The problem document a failed change answers with, as plugins/problem-details.ts sends it. */
export function problemResponse(error: DomainError, requestId: string): ChangeResponse {
  const body = problemFromDomainError(error, requestId);
  return {
    status: body.status,
    body,
    headers: {
      'content-type': 'application/problem+json; charset=utf-8',
      ...(error.retryAfterSeconds !== undefined ? { 'retry-after': String(Math.ceil(error.retryAfterSeconds)) } : {}),
    },
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
  // Not an AWS service error (a bug, a runtime failure): its text stays in the logs (`cause`), the
  // caller and the audit record get a generic message.
  return isDomainError(error)
    ? error
    : new DomainError('upstream', 'the change failed on an unexpected error; the request id names it in the logs', { cause: error });
}
