// GET /v1/changes/{changeId}: one change as it runs and after it (DESIGN §2, §3) — its status,
// progress (steps done, per-route outcomes of a bulk apply, an estimate of the time left), the plan,
// the journal, and at the end the answer the synchronous request would have had.
import type { Actor, AuditRecord, PendingAudit } from '../domain/audit.js';
import type { BulkRouteOutcome } from '../domain/bulk-plan.js';
import { notFound } from '../domain/errors.js';
import { estimateSecondsLeft, journalFacts, stepsDone, type JournalEntry } from '../domain/journal.js';
import type { PlanStep } from '../domain/plan.js';
import { planOfRecord, StoredPlanError } from '../domain/stored-plan.js';
import { plannedOutcomesOf } from '../domain/change-record.js';
import type { AuditStore } from './ports.js';

export type RouteProgress = BulkRouteOutcome | 'pending';

export interface ChangeView {
  changeId: string;
  action: string;
  apiId: string;
  routeKey?: string;
  status: AuditRecord['status'];
  startedAt: string;
  finishedAt?: string;
  progress: {
    stepsDone: number;
    stepsTotal: number;
    estimatedSecondsLeft?: number;
    routes?: Record<string, RouteProgress>;
  };
  plan: PlanStep[];
  steps: JournalEntry[];
  result?: { status: number; body: unknown };
}

export interface ChangeServiceDeps {
  auditStore: AuditStore;
  /** The pace AWS allows at most (seconds per write), for the estimate: e.g. 0.1 at 10 calls/s. */
  minSecondsPerStep: number;
}

export function createChangeService({ auditStore, minSecondsPerStep }: ChangeServiceDeps) {
  async function view(changeId: string): Promise<ChangeView | undefined> {
    const record = await auditStore.get(changeId);
    return record ? changeViewOf(record, minSecondsPerStep) : undefined;
  }

  return {
    view,
    /**
     * A change its runner has just journaled (`pending`: the record as the runner wrote it), for
     * when the store does not give it back yet: what its caller may already know. The plan is left
     * out: the runner's copy is not redacted (the stored one is; GET /v1/changes/{id} serves that).
     */
    startedView(pending: PendingAudit): ChangeView {
      const stepsTotal = Array.isArray(pending.plan) ? pending.plan.length : 0;
      return {
        changeId: pending.id,
        action: pending.action,
        apiId: pending.apiId,
        ...(pending.routeKey !== undefined ? { routeKey: pending.routeKey } : {}),
        status: 'pending',
        startedAt: pending.occurredAt,
        progress: { stepsDone: 0, stepsTotal, estimatedSecondsLeft: estimateSecondsLeft(stepsTotal, 0, [], minSecondsPerStep) },
        plan: [],
        steps: [],
      };
    },
    /** The change, for its caller or an admin; anyone else gets the 404 an unknown id gets. */
    async get(changeId: string, caller: { actor: Actor | null; admin: boolean }): Promise<ChangeView> {
      const record = await auditStore.get(changeId);
      const mine = record && caller.actor && record.actor.id === caller.actor.id && record.actor.kind === caller.actor.kind;
      if (!record || !(mine || caller.admin)) throw notFound(`No change ${changeId} (or it is not yours to see)`);
      return changeViewOf(record, minSecondsPerStep);
    },
  };
}

export type ChangeService = ReturnType<typeof createChangeService>;

export function changeViewOf(record: AuditRecord, minSecondsPerStep: number): ChangeView {
  const plan = shownPlan(record);
  const journal = record.journal ?? [];
  const facts = journalFacts(plan, journal);
  const done = stepsDone(facts);
  const routes = routeProgress(record, plan, facts.standing);
  return {
    changeId: record.id,
    action: record.action,
    apiId: record.apiId,
    ...(record.routeKey !== undefined ? { routeKey: record.routeKey } : {}),
    status: record.status,
    startedAt: record.occurredAt,
    ...(record.finishedAt !== undefined ? { finishedAt: record.finishedAt } : {}),
    progress: {
      stepsDone: done,
      stepsTotal: plan.length,
      ...(record.status === 'pending' ? { estimatedSecondsLeft: estimateSecondsLeft(plan.length, done, journal, minSecondsPerStep) } : {}),
      ...(routes ? { routes } : {}),
    },
    plan,
    steps: journal,
    ...(record.result ? { result: { status: record.result.status, body: record.result.body } } : {}),
  };
}

/**
 * A bulk apply's routes: each one's planned outcome once all its steps ran, `pending` before. A
 * route's steps are the plan steps whose ids carry its index (domain/bulk-plan.ts: `r<index>-`),
 * in the order of the request's route map.
 */
function routeProgress(
  record: AuditRecord,
  plan: PlanStep[],
  standing: ReadonlyMap<string, string>,
): Record<string, RouteProgress> | undefined {
  const routes = (record.request as { routes?: Record<string, unknown> } | undefined)?.routes;
  const outcomes = plannedOutcomesOf(record);
  if (!routes || !outcomes) return undefined;
  return Object.fromEntries(
    Object.keys(routes).map((routeKey, index) => {
      const outcome = outcomes[routeKey] ?? 'unchanged';
      const own = plan.filter((step) => step.id.startsWith(`r${index}-`));
      const ran = own.every((step) => standing.get(step.id) === 'done');
      return [routeKey, outcome === 'unchanged' || ran ? outcome : 'pending'];
    }),
  );
}

/** The plan to show: one this version cannot read (a newer version's?) shows as none rather than failing the read. */
function shownPlan(record: AuditRecord): PlanStep[] {
  try {
    return planOfRecord(record);
  } catch (error) {
    if (error instanceof StoredPlanError) return [];
    throw error;
  }
}
