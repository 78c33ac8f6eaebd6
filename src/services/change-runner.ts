// The one path every change takes (DESIGN §3): read → plan → (dry run) → lock → audit pending →
// execute → compensate → audit final → respond. Routes and services never call AWS writes any
// other way.
import type { Actor } from '../domain/audit.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import type { PlanStep } from '../domain/plan.js';
import { executePlan } from './plan-executor.js';
import type { ApiGatewayPort, LambdaPort, ApiLock, AuditStore, AwsCall, AwsCallLog, Clock, IdGenerator } from './ports.js';

export interface ChangeContext {
  actor: Actor;
  requestId: string;
  idempotencyKey?: string;
  dryRun: boolean;
}

export interface ChangeSpec<State> {
  action: string;
  apiId: string;
  routeKey?: string;
  /** The caller's request. The audit store the composition root builds redacts secrets on write. */
  request: unknown;
  read(): Promise<State>;
  plan(state: State): PlanStep[];
  /** What the audit record keeps as "before" (defaults to the state). */
  describe?(state: State): unknown;
  /** The integration the change is about, once known. */
  integrationIdOf?(state: State, createdIds: ReadonlyMap<string, string>): string | undefined;
}

export type ChangeOutcome = 'planned' | 'unchanged' | 'applied';

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

  return async function runChange<State>(spec: ChangeSpec<State>, context: ChangeContext): Promise<ChangeResult<State>> {
    const describe = spec.describe ?? ((state: State) => state);
    const noChange = (outcome: ChangeOutcome, state: State, plan: PlanStep[]): ChangeResult<State> => ({
      outcome,
      plan,
      auditComplete: true,
      before: state,
      after: state,
      createdIds: new Map(),
    });

    if (context.dryRun) {
      const state = await spec.read();
      const plan = spec.plan(state);
      return noChange(plan.length === 0 ? 'unchanged' : 'planned', state, plan);
    }

    // State is read and planned under the lock: another instance may have changed it since.
    return apiLock.withLock(spec.apiId, async () => {
      const started = clock.now();
      const awsCalls: AwsCall[] = [];
      const before = await callLog.capture(awsCalls, () => spec.read());
      const plan = spec.plan(before);
      if (plan.length === 0) return noChange('unchanged', before, plan);

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
        after = await callLog.capture(awsCalls, () => spec.read());
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
        // The problem has no auditComplete field: its detail says it (issue 4: "the response says so").
        if (!auditComplete) failure.message += ` (the audit record ${auditId} stays pending: its final write failed)`;
        throw failure;
      }
      return { outcome: 'applied', plan, auditId, auditComplete, before, after, createdIds };
    });
  };
}

function toFailure(error: unknown): DomainError {
  return isDomainError(error) ? error : new DomainError('upstream', error instanceof Error ? error.message : String(error), { cause: error });
}
