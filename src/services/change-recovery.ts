// Owners and recovery (DESIGN §3): when the instance running a change dies, or hands the change
// over at a step boundary, any live instance takes it over, under the API's lock:
// - a change handed over cleanly, whose kind can be rebuilt from its record, whose deadline has not
//   passed and whose steps left carry no redacted secret, is finished (rolled forward);
// - anything else is undone from the journal in reverse (creates whose answer was lost are looked
//   up first), and the record says exactly what is left.
// A background sweep looks for expired leases every few seconds; a new change to an API also
// recovers what was left on that API before it plans.
import type { AuditRecord } from '../domain/audit.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import { carriesRedactedValue, journalFacts, type JournalFacts } from '../domain/journal.js';
import { DEPLOYMENT_STEP_ID, resolveReferences, type PlanStep } from '../domain/plan.js';
import { planOfRecord, StoredPlanError } from '../domain/stored-plan.js';
import { ChangeContinuesElsewhere, problemResponse, type ChangeInFlight, type ChangeKinds, type ChangeResult, type ChangeRunnerInternals, type ChangeSpec } from './change-runner.js';
import { answer, changeSummary } from './change-presenter.js';
import type { ChangeTracker } from './change-tracker.js';
import { canLookUp, findCreatedResource, type LookupOperation } from './created-resource-lookup.js';
import { JournalWriter } from './journal-writer.js';
import { compensate } from './plan-executor.js';
import type { ApiGatewayPort, ApiLock, AuditStore, AwsCall, AwsCallLog, Clock, LambdaPort, PendingChangeRef, Stage } from './ports.js';

export interface ChangeRecoveryDeps {
  apiGateway: ApiGatewayPort;
  lambda: LambdaPort;
  auditStore: AuditStore;
  apiLock: ApiLock;
  callLog: AwsCallLog;
  clock: Clock;
  owner: string;
  leaseMs: number;
  tracker: ChangeTracker;
  kinds: ChangeKinds;
  runner: () => ChangeRunnerInternals;
  /** How often the background sweep looks for expired leases. */
  sweepIntervalMs: number;
  /** The target (issue 19) whose clients this recovery acts with; undefined: `default`. */
  target?: string;
  /**
   * The recovery of another target, for a change whose record names it: a change is finished or
   * undone with the clients of the account and region it acted in, whoever found it. Undefined
   * for a target no longer configured (the change is left pending, and logged).
   */
  recoveryFor?: (target: string | undefined) => Pick<ChangeRecovery, 'recoverLocked'> | undefined;
}

/** Where recovery reports: the app's logger once the entry point has one. */
export interface RecoveryLog {
  warn(object: object, message: string): void;
  info(object: object, message: string): void;
}

export type RecoveryOutcome = 'finished' | 'undone' | 'not-taken' | 'handed-over';

export function createChangeRecovery(deps: ChangeRecoveryDeps) {
  const { auditStore, clock, tracker } = deps;
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;
  let log: RecoveryLog | undefined;

  function takeable(ref: PendingChangeRef, now: Date): boolean {
    // Released, or written before leases existed (the store decides which of those are old enough).
    if (!ref.lease) return true;
    if (ref.lease.expiresAt < now.toISOString()) return true;
    // Its own change that it no longer runs (stopped when the store did not answer).
    return ref.lease.owner === deps.owner && !tracker.get(ref.id);
  }

  /** Under the API's lock (its target's): finishes or undoes every change a dead owner left on the API. */
  async function recoverOrphans(apiId: string): Promise<void> {
    // Only this target's: the same API id in another target is another API, under another lock.
    const pending = (await auditStore.listPending(apiId)).filter((ref) => ref.target === deps.target);
    for (const ref of pending) {
      const now = clock.now();
      if (takeable(ref, now)) {
        await recoverLocked(ref.id);
        continue;
      }
      // A live owner without the lock: an instance that does not share this lock (a
      // misconfiguration), or one whose lock connection died. Its lease says when to look again.
      const seconds = Math.max(1, Math.ceil((Date.parse(ref.lease!.expiresAt) - now.getTime()) / 1000));
      throw new DomainError('conflict', `change ${ref.id} of API ${apiId} is still running on another instance; retry later`, {
        retryAfterSeconds: seconds,
      });
    }
  }

  /** Takes the change over (if it is takeable) and finishes or undoes it; the caller holds the API's lock. */
  async function recoverLocked(changeId: string, options: { handOverAt?: number } = {}): Promise<RecoveryOutcome> {
    const now = clock.now();
    const lease = { owner: deps.owner, expiresAt: new Date(now.getTime() + deps.leaseMs).toISOString() };
    if (!(await auditStore.takeOver(changeId, lease, now))) return 'not-taken';
    const record = await auditStore.get(changeId);
    if (!record || record.status !== 'pending') return 'not-taken';
    if (deps.recoveryFor && record.target !== deps.target) {
      // Taken over by this instance already: the target's recovery takes it again as its owner.
      const elsewhere = deps.recoveryFor(record.target);
      if (elsewhere) return elsewhere.recoverLocked(changeId, options);
      log?.warn({ changeId, target: record.target }, 'change of a target that is not configured: left pending');
      return 'not-taken';
    }
    const plan = readPlan(record);
    const facts = journalFacts(plan, record.journal ?? []);
    const resumed = new JournalWriter({ store: auditStore, clock, changeId, owner: deps.owner, leaseMs: deps.leaseMs, lastSeq: facts.lastSeq });
    resumed.note(resumed.event('taken-over', facts.handedOver ? 'handed over by its owner' : 'its owner stopped renewing its lease'));
    tracker.add({ changeId, apiId: record.apiId, handOverAt: options.handOverAt });
    try {
      // Every step ran (the owner died before its final write): the change is done, not undone.
      const allDone = plan.length > 0 && plan.every((step) => facts.standing.get(step.id) === 'done');
      const spec = allDone || canRollForward(record, plan, facts, now) ? (deps.kinds.specOf(record) ?? summarySpec(record)) : undefined;
      if (spec) {
        const flight: ChangeInFlight<unknown> = {
          spec,
          changeId,
          requestId: record.requestId,
          plan,
          before: undefined,
          stage: stageOf(plan),
          awsCalls: [],
          startedAt: Date.parse(record.occurredAt),
          writer: resumed,
        };
        const runner = deps.runner();
        const execution = await runner.runSteps(flight, Date.parse(record.deadlineAt!), record.known?.integrationIds, { facts, fromRecord: true });
        try {
          await runner.settleExecution(flight, execution);
        } catch (error) {
          if (error instanceof ChangeContinuesElsewhere) return 'handed-over';
          if (!isDomainError(error)) throw error;
          // A failed change's problem is its answer: kept with the record already.
        }
        log?.info({ changeId, status: execution.status }, 'change taken over and finished');
        return 'finished';
      }
      await undo(record, plan, facts, resumed);
      return 'undone';
    } finally {
      tracker.remove(changeId);
    }
  }

  /**
   * The record's plan. One this version cannot read (written by a newer one during a rolling
   * deploy?) is neither run nor undone by guesswork: the change stays pending for an instance
   * that can, and the API answers 409 meanwhile, as it does for a change still running.
   */
  function readPlan(record: AuditRecord): PlanStep[] {
    try {
      return planOfRecord(record);
    } catch (error) {
      if (!(error instanceof StoredPlanError)) throw error;
      log?.warn({ changeId: record.id, err: error }, 'change whose plan this instance cannot read: left pending');
      throw new DomainError('conflict', `a pending change of API ${record.apiId} cannot be recovered by this instance: ${error.message}`, {
        retryAfterSeconds: Math.max(1, Math.ceil(deps.sweepIntervalMs / 1000)),
        cause: error,
      });
    }
  }

  /** Undoes a taken-over change from its journal and finalises it with what is left. */
  async function undo(record: AuditRecord, plan: PlanStep[], facts: JournalFacts, writer: JournalWriter): Promise<void> {
    const awsCalls: AwsCall[] = [];
    const started = clock.now().getTime();
    const createdIds = new Map(facts.createdIds);
    const leftovers: string[] = [];
    const completed: PlanStep[] = [];
    if (record.deadlineAt === undefined) {
      leftovers.push('unknown: this change was recorded before Gatewire journaled its steps, so which of them ran is not known');
    }
    await deps.callLog.capture(awsCalls, async () => {
      for (const step of plan) {
        const standing = facts.standing.get(step.id);
        if (standing === 'done') completed.push(step);
        if (standing !== 'in-doubt') continue;
        // Started and never answered: find out what it did.
        if (canLookUp(step)) {
          const found = await lookUp(step, createdIds, record).catch(() => null);
          if (found === null) {
            leftovers.push(`${step.id}: ${step.description} (may have run: it could not be looked up)`);
          } else if (found !== undefined) {
            createdIds.set(step.id, found);
            writer.note(stepNote(writer, step, 'found', { createdId: found, note: 'its owner died before the answer; AWS had made it' }));
            completed.push(step);
          } else {
            writer.note(stepNote(writer, step, 'absent', { note: 'its owner died before the answer; AWS had not made it' }));
          }
        } else if (step.compensation?.operation.startsWith('Update')) {
          // Undoing an update that may not have run restores what is there anyway.
          completed.push(step);
        } else {
          leftovers.push(`${step.id}: ${step.description} (may have run: its owner died before AWS answered)`);
        }
      }
    });

    const ordered = plan.filter((step) => completed.includes(step));
    const irreversible = ordered.filter((step) => !step.compensation);
    let status: 'failed' | 'rolled_back' | 'partial';
    if (irreversible.length > 0) {
      // Past a point of no return: what ran stays, and the rest is named.
      const ran = new Set(ordered.map((step) => step.id));
      leftovers.push(
        ...plan
          .filter((step) => !ran.has(step.id) && facts.standing.get(step.id) !== 'in-doubt')
          .map((step) => `${step.id}: ${step.description} (not done: the change had passed ${irreversible[0]!.id}, which cannot be undone)`),
      );
      status = 'partial';
    } else {
      const undone = await deps.callLog.capture(awsCalls, () =>
        compensate({ ports: { apiGateway: deps.apiGateway, lambda: deps.lambda }, journal: writer, calls: awsCalls, fromRecord: true }, ordered, createdIds),
      );
      if ('status' in undone) return; // another instance owns it now, or the store stopped answering: it stays pending
      leftovers.push(...undone.leftovers);
      status = leftovers.length > 0 ? 'partial' : ordered.length === 0 ? 'failed' : 'rolled_back';
    }
    // Without a journal nobody can say what ran: the record says so, whatever was undone.
    const legacy = record.deadlineAt === undefined;
    const error = new DomainError(
      'interrupted',
      `the instance running change ${record.id} stopped before it ended (${facts.handedOver ? 'handed over' : 'its lease ran out'}); ` +
        `${deps.owner} took it over and ${status === 'rolled_back' ? 'undid every step that ran' : status === 'failed' ? 'found that no step had run' : 'could not undo everything: see leftovers'}`,
      { retryAfterSeconds: 1 },
    );
    error.auditId = record.id;
    await auditStore.finalize(
      record.id,
      {
        status: legacy ? 'interrupted' : status,
        after: null,
        awsCalls: [...record.awsCalls, ...awsCalls],
        error: { kind: error.kind, message: error.message },
        ...(leftovers.length > 0 ? { leftovers } : {}),
        durationMs: clock.now().getTime() - Date.parse(record.occurredAt),
        result: problemResponse(error, record.requestId),
      },
      { owner: writer.owner, journal: writer.takeForFinal() },
    );
    log?.warn({ changeId: record.id, status, leftovers: leftovers.length, tookMs: clock.now().getTime() - started }, 'change taken over and undone');
  }

  function lookUp(step: PlanStep<LookupOperation>, createdIds: Map<string, string>, record: AuditRecord): Promise<string | undefined> {
    const integrationIds = record.known?.integrationIds;
    return findCreatedResource(deps.apiGateway, resolveReferences(step, createdIds), {
      ...(integrationIds ? { integrationIds: new Set(integrationIds) } : {}),
      createdIds: createdIds.values(),
    });
  }

  /** Takes over and finishes (or undoes) one change, under its API's lock. */
  async function resume(changeId: string, apiId: string, options: { handOverAt?: number } = {}): Promise<RecoveryOutcome> {
    return deps.apiLock.withLock(apiId, () => recoverLocked(changeId, options));
  }

  /** One pass: every change whose lease expired (or was released), oldest first. */
  async function sweepOnce(limit = 10): Promise<number> {
    if (tracker.stopping) return 0;
    const refs = await auditStore.listTakeable(clock.now(), limit);
    let recovered = 0;
    for (const ref of refs) {
      if (tracker.stopping) break;
      try {
        if ((await resume(ref.id, ref.apiId)) !== 'not-taken') recovered += 1;
      } catch (error) {
        log?.warn({ err: error, changeId: ref.id }, 'could not recover the change; the next sweep tries again');
      }
    }
    return recovered;
  }

  return {
    recoverOrphans,
    recoverLocked,
    resume,
    sweepOnce,
    setLog(logger: RecoveryLog): void {
      log = logger;
    },
    /** Starts the background sweep (every sweepIntervalMs, unref'd: it never keeps the process alive). */
    start(logger?: RecoveryLog): void {
      log = logger ?? log;
      if (timer) return;
      timer = setInterval(() => {
        sweeping ??= sweepOnce()
          .then(() => undefined)
          .catch((error: unknown) => log?.warn({ err: error }, 'change recovery sweep failed'))
          .finally(() => {
            sweeping = undefined;
          });
      }, deps.sweepIntervalMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await sweeping;
    },
  };
}

export type ChangeRecovery = ReturnType<typeof createChangeRecovery>;

/**
 * Roll forward only what is safe to: a clean hand-over (no call in doubt), before the deadline,
 * and with no step left whose parameters the record keeps redacted.
 */
function canRollForward(record: AuditRecord, plan: PlanStep[], facts: JournalFacts, now: Date): boolean {
  if (!facts.handedOver || record.deadlineAt === undefined || now.getTime() >= Date.parse(record.deadlineAt)) return false;
  const left = plan.filter((step) => facts.standing.get(step.id) !== 'done');
  if (left.some((step) => facts.standing.get(step.id) === 'in-doubt')) return false;
  return !left.some((step) => carriesRedactedValue(step.params) || (step.compensation && carriesRedactedValue(step.compensation.params)));
}

/**
 * A change finished by another instance whose kind cannot be rebuilt from its record: its answer
 * is the summary of the change (outcome, plan, record, deployment) without the resource.
 */
function summarySpec(record: AuditRecord): ChangeSpec<unknown> {
  // Any kind, even one this version does not know: the record's action is kept as it was.
  const spec = {
    action: record.action,
    apiId: record.apiId,
    request: record.request,
    read: async () => null,
    // Nothing is read: the record keeps no after-state (null), whatever the kind.
    describe: () => null,
    plan: () => [],
    present: (result: ChangeResult<unknown>) => answer(changeSummary(result)),
  };
  return spec as ChangeSpec<unknown>;
}

/** The stage a plan deploys (the record keeps the plan, not the stage read). */
function stageOf(plan: PlanStep[]): Stage | undefined {
  const deployment = plan.find((step) => step.id === DEPLOYMENT_STEP_ID);
  return deployment?.operation === 'CreateDeployment' ? { stageName: deployment.params.stageName, autoDeploy: false } : undefined;
}

function stepNote(writer: JournalWriter, step: PlanStep, phase: 'found' | 'absent', detail: { createdId?: string; note: string }) {
  return {
    kind: 'do' as const,
    stepId: step.id,
    operation: step.operation,
    phase,
    at: writer.now(),
    owner: writer.owner,
    ...(detail.createdId ? { createdId: detail.createdId } : {}),
    note: detail.note,
  };
}
