// Runs a plan's steps in order, journaling each one (DESIGN §3 step 7): a step's start is durable
// before its AWS call, its result before the next call. When a step fails, the completed steps are
// undone in reverse, each undo journaled too. Before each step the executor asks whether to go on:
// it stops at that boundary when the change is handed over (shutdown, the end of a Lambda
// invocation), past its deadline, or when it may no longer own the change.
//
// A step without compensation (deleting a replaced integration) is a point of no return: once it
// ran, undoing the steps before it would break what they built, so a later failure leaves the
// change `partial` with what is left named, instead of rolling back.
import { DomainError, isDomainError } from '../domain/errors.js';
import { carriesRedactedValue, type JournalFacts, type StepPhase } from '../domain/journal.js';
import { resolveReferences, type AwsCallSpec, type PlanStep } from '../domain/plan.js';
import { canLookUp, findCreatedResource, type KnownResources } from './created-resource-lookup.js';
import type { JournalWriter } from './journal-writer.js';
import type { ApiGatewayPort, AwsCall, LambdaPort } from './ports.js';

export interface ExecutionPorts {
  apiGateway: ApiGatewayPort;
  lambda: LambdaPort;
}

/** Why a change stops at a step boundary. */
export type StopReason = 'hand-over' | 'deadline';

export interface ExecutionOptions {
  ports: ExecutionPorts;
  plan: readonly PlanStep[];
  journal: JournalWriter;
  /** Where a taken-over change stands; absent for a new change. */
  facts?: JournalFacts;
  known: Omit<KnownResources, 'createdIds'>;
  /** Asked before every write step. */
  stopReason(): StopReason | undefined;
  /** The change's AWS calls so far (the call log's list): the request id of each write comes from it. */
  calls: readonly AwsCall[];
  /** The plan was read back from the record, where secrets are redacted: such calls cannot be made. */
  fromRecord?: boolean;
  /** Called after each step that ran (steps done so far). */
  onStep?(done: number): void;
}

export type ExecutionOutcome =
  | {
      status: 'succeeded';
      createdIds: Map<string, string>;
      /**
       * What each write step's call answered with, by step id (Create/Update calls answer with the
       * whole resource): the after-state is built from them instead of being read again. Steps a
       * previous owner ran (a taken-over change) or whose answer was lost have none.
       */
      resources: Map<string, unknown>;
    }
  | {
      status: 'failed' | 'rolled_back' | 'partial';
      error: unknown;
      /** The step whose call failed (absent when the change stopped at its deadline). */
      failedStep?: string;
      leftovers: string[];
      createdIds: Map<string, string>;
    }
  /** Stopped at a step boundary and released for another instance to finish. */
  | { status: 'handed-over' }
  /** Another instance owns the change now: this one stopped writing. */
  | { status: 'lease-lost' }
  /** The journal could not be committed: no AWS write may follow; the change waits for recovery. */
  | { status: 'stalled'; error: unknown };

export async function executePlan(options: ExecutionOptions): Promise<ExecutionOutcome> {
  const { plan, journal, facts } = options;
  const createdIds = new Map(facts?.createdIds ?? []);
  const resources = new Map<string, unknown>();
  const completed = plan.filter((step) => facts?.standing.get(step.id) === 'done');
  let done = completed.length;

  for (const step of plan) {
    const standing = facts?.standing.get(step.id) ?? 'not-started';
    if (standing === 'done') continue;
    if (!journal.owns()) return { status: 'lease-lost' };
    const reason = options.stopReason();
    if (reason === 'hand-over') return handOver(journal);
    if (reason === 'deadline') {
      journal.note(journal.event('deadline-exceeded'));
      const error = new DomainError('deadline-exceeded', `the change ran past its deadline before step ${step.id}`);
      return finishFailed(options, completed, createdIds, error, undefined);
    }
    if (options.fromRecord && carriesRedactedValue(step.params)) {
      // Only the owner that planned the change knows the secret; nobody can send this call now.
      journal.note(stepEntry(journal, 'do', step, 'skipped', { note: 'its parameters hold a secret the record keeps redacted' }));
      const error = new DomainError('upstream', `step ${step.id} cannot be run by another instance: its parameters hold a redacted secret`);
      return finishFailed(options, completed, createdIds, error, step.id);
    }

    const outcome = await runStep(options, step, createdIds, resources);
    if (outcome.status === 'done') {
      completed.push(step);
      done += 1;
      options.onStep?.(done);
      continue;
    }
    if (outcome.status !== 'failed') return outcome;
    if (outcome.inDoubt) completed.push(step);
    return finishFailed(options, completed, createdIds, outcome.error, step.id);
  }
  return { status: 'succeeded', createdIds, resources };
}

type StepOutcome =
  | { status: 'done' }
  | { status: 'failed'; error: unknown; inDoubt: boolean }
  | { status: 'lease-lost' }
  | { status: 'stalled'; error: unknown };

/** One step: journal its start, call AWS, journal what came back (or what a look-up found). */
async function runStep(
  options: ExecutionOptions,
  step: PlanStep,
  createdIds: Map<string, string>,
  resources: Map<string, unknown>,
): Promise<StepOutcome> {
  const { journal } = options;
  // A create whose answer was lost and that AWS turns out not to have made is sent once more:
  // known not to exist, it is no blind retry.
  for (let attempt = 1; ; attempt++) {
    const started = await commitStart(journal, 'do', step);
    if (started) return started;
    const callsBefore = options.calls.length;
    try {
      const { createdId, resource } = await callAws(options.ports, step, createdIds);
      if (createdId !== undefined) createdIds.set(step.id, createdId);
      if (resource !== undefined) resources.set(step.id, resource);
      journal.note(stepEntry(journal, 'do', step, 'succeeded', { requestId: requestIdOf(options.calls, callsBefore, step), createdId }));
      return { status: 'done' };
    } catch (error) {
      const unknown = isDomainError(error) && error.outcomeUnknown;
      journal.note(stepEntry(journal, 'do', step, unknown ? 'unknown' : 'failed', failureDetail(error)));
      if (!unknown) return { status: 'failed', error, inDoubt: false };
      if (!canLookUp(step)) {
        // An update or a delete the SDK already retried: it may have run. An update's undo
        // (the previous values again) is safe either way, so it is undone with the rest.
        return { status: 'failed', error, inDoubt: step.compensation?.operation.startsWith('Update') === true };
      }
      let found: string | undefined;
      try {
        found = await findCreatedResource(options.ports.apiGateway, resolveReferences(step, createdIds), { ...options.known, createdIds: createdIds.values() });
      } catch (lookupError) {
        journal.note(stepEntry(journal, 'do', step, 'unknown', { note: `could not find out whether it ran: ${describe(lookupError)}` }));
        return { status: 'failed', error, inDoubt: false };
      }
      if (found !== undefined) {
        createdIds.set(step.id, found);
        journal.note(stepEntry(journal, 'do', step, 'found', { createdId: found, note: 'the answer was lost; AWS had made it' }));
        return { status: 'done' };
      }
      journal.note(stepEntry(journal, 'do', step, 'absent', { note: 'the answer was lost; AWS had not made it' }));
      if (attempt >= 2) return { status: 'failed', error, inDoubt: false };
    }
  }
}

/** Commits a call's start; an outcome when the change must stop instead. */
async function commitStart(journal: JournalWriter, kind: 'do' | 'undo', step: Pick<PlanStep, 'id' | 'operation'>): Promise<StepOutcome | undefined> {
  try {
    await journal.commit(stepEntry(journal, kind, step, 'started'));
    return undefined;
  } catch (error) {
    if (isDomainError(error) && error.kind === 'lease-lost') return { status: 'lease-lost' };
    return { status: 'stalled', error };
  }
}

async function handOver(journal: JournalWriter): Promise<ExecutionOutcome> {
  try {
    await journal.handOver();
    return { status: 'handed-over' };
  } catch (error) {
    if (isDomainError(error) && error.kind === 'lease-lost') return { status: 'lease-lost' };
    return { status: 'stalled', error };
  }
}

/** After a failure: undo what can be undone, or, past a point of no return, say what is left. */
async function finishFailed(
  options: ExecutionOptions,
  completed: PlanStep[],
  createdIds: Map<string, string>,
  error: unknown,
  failedStep: string | undefined,
): Promise<ExecutionOutcome> {
  const failure = { error, ...(failedStep !== undefined ? { failedStep } : {}), createdIds };
  if (completed.length === 0) return { status: 'failed', ...failure, leftovers: [] };
  const irreversible = completed.filter((step) => !step.compensation);
  if (irreversible.length > 0) {
    const ran = new Set(completed.map((step) => step.id));
    const left = options.plan.filter((step) => !ran.has(step.id));
    return {
      status: 'partial',
      ...failure,
      leftovers: left.map((step) => `${step.id}: ${step.description} (not done: the change had passed ${irreversible[0]!.id}, which cannot be undone)`),
    };
  }
  const undone = await compensate(options, completed, createdIds);
  if ('status' in undone) return undone;
  return { status: undone.leftovers.length === 0 ? 'rolled_back' : 'partial', ...failure, leftovers: undone.leftovers };
}

/** Undoes `completed` in reverse, journaling each undo; returns what could not be undone. */
export async function compensate(
  options: Pick<ExecutionOptions, 'ports' | 'journal' | 'calls' | 'fromRecord'>,
  completed: readonly PlanStep[],
  createdIds: Map<string, string>,
): Promise<{ leftovers: string[] } | { status: 'lease-lost' } | { status: 'stalled'; error: unknown }> {
  const { journal } = options;
  const leftovers: string[] = [];
  for (const step of [...completed].reverse()) {
    const undo = step.compensation;
    if (!undo) {
      leftovers.push(`${step.id}: ${step.description} (cannot be undone)`);
      continue;
    }
    if (options.fromRecord && carriesRedactedValue(undo.params)) {
      journal.note(stepEntry(journal, 'undo', { id: step.id, operation: undo.operation }, 'skipped', { note: 'its parameters hold a secret the record keeps redacted' }));
      leftovers.push(`${step.id}: ${step.description} (not undone: the undo needs a secret the record keeps redacted)`);
      continue;
    }
    const stop = await commitStart(journal, 'undo', { id: step.id, operation: undo.operation });
    if (stop) return stop as { status: 'lease-lost' } | { status: 'stalled'; error: unknown };
    const callsBefore = options.calls.length;
    try {
      await callAws(options.ports, undo, createdIds);
      createdIds.delete(step.id);
      journal.note(
        stepEntry(journal, 'undo', { id: step.id, operation: undo.operation }, 'succeeded', { requestId: requestIdOf(options.calls, callsBefore, undo) }),
      );
    } catch (error) {
      if (isDomainError(error) && error.kind === 'not-found' && undo.operation.startsWith('Delete')) {
        // Already gone: what the undo was for holds.
        createdIds.delete(step.id);
        journal.note(stepEntry(journal, 'undo', { id: step.id, operation: undo.operation }, 'absent', { note: 'already gone' }));
        continue;
      }
      const unknown = isDomainError(error) && error.outcomeUnknown;
      journal.note(stepEntry(journal, 'undo', { id: step.id, operation: undo.operation }, unknown ? 'unknown' : 'failed', failureDetail(error)));
      leftovers.push(`${step.id}: ${step.description} (undo failed: ${awsName(error)})`);
    }
  }
  return { leftovers };
}

function stepEntry(
  journal: JournalWriter,
  kind: 'do' | 'undo',
  step: Pick<PlanStep, 'id' | 'operation'>,
  phase: StepPhase,
  detail: { requestId?: string | undefined; createdId?: string | undefined; error?: string | undefined; note?: string | undefined } = {},
) {
  return {
    kind,
    stepId: step.id,
    operation: step.operation,
    phase,
    at: journal.now(),
    owner: journal.owner,
    ...(detail.requestId ? { requestId: detail.requestId } : {}),
    ...(detail.createdId ? { createdId: detail.createdId } : {}),
    ...(detail.error ? { error: detail.error } : {}),
    ...(detail.note ? { note: detail.note } : {}),
  };
}

function failureDetail(error: unknown): { requestId?: string; error: string } {
  return {
    ...(isDomainError(error) && error.aws?.requestId ? { requestId: error.aws.requestId } : {}),
    error: awsName(error),
  };
}

function awsName(error: unknown): string {
  return isDomainError(error) ? (error.aws?.error ?? error.kind) : 'Error';
}

function describe(error: unknown): string {
  return isDomainError(error) ? (error.aws?.error ?? error.message) : error instanceof Error ? error.name : String(error);
}

/** The request id of the call `spec` made, from the calls logged since `from`. */
function requestIdOf(calls: readonly AwsCall[], from: number, spec: AwsCallSpec): string | undefined {
  for (let index = calls.length - 1; index >= from; index--) {
    const call = calls[index]!;
    if (call.operation === spec.operation && call.outcome === 'ok') return call.requestId;
  }
  return undefined;
}

/** Makes one AWS call; returns the id of what it created, if anything, and the resource AWS answered with. */
async function callAws(ports: ExecutionPorts, spec: AwsCallSpec, createdIds: Map<string, string>): Promise<{ createdId?: string; resource?: unknown }> {
  return sendCall(ports, resolveReferences(spec, createdIds));
}

async function sendCall({ apiGateway, lambda }: ExecutionPorts, call: AwsCallSpec): Promise<{ createdId?: string; resource?: unknown }> {
  switch (call.operation) {
    case 'CreateIntegration': {
      const { apiId, ...fields } = call.params;
      const resource = await apiGateway.createIntegration(apiId, fields);
      return { createdId: resource.integrationId, resource };
    }
    case 'UpdateIntegration': {
      const { apiId, integrationId, ...fields } = call.params;
      return { resource: await apiGateway.updateIntegration(apiId, integrationId, fields) };
    }
    case 'DeleteIntegration':
      await apiGateway.deleteIntegration(call.params.apiId, call.params.integrationId);
      return {};
    case 'CreateRoute': {
      const { apiId, ...fields } = call.params;
      const resource = await apiGateway.createRoute(apiId, fields);
      return { createdId: resource.routeId, resource };
    }
    case 'UpdateRoute': {
      const { apiId, routeId, ...fields } = call.params;
      return { resource: await apiGateway.updateRoute(apiId, routeId, fields) };
    }
    case 'DeleteRoute':
      await apiGateway.deleteRoute(call.params.apiId, call.params.routeId);
      return {};
    case 'CreateIntegrationResponse': {
      const { apiId, integrationId, ...fields } = call.params;
      const resource = await apiGateway.createIntegrationResponse(apiId, integrationId, fields);
      return { createdId: resource.integrationResponseId, resource };
    }
    case 'UpdateIntegrationResponse': {
      const { apiId, integrationId, integrationResponseId, ...fields } = call.params;
      return { resource: await apiGateway.updateIntegrationResponse(apiId, integrationId, integrationResponseId, fields) };
    }
    case 'DeleteIntegrationResponse': {
      const { apiId, integrationId, integrationResponseId } = call.params;
      await apiGateway.deleteIntegrationResponse(apiId, integrationId, integrationResponseId);
      return {};
    }
    case 'CreateRouteResponse': {
      const { apiId, routeId, routeResponseKey } = call.params;
      const resource = await apiGateway.createRouteResponse(apiId, routeId, routeResponseKey);
      return { createdId: resource.routeResponseId, resource };
    }
    case 'DeleteRouteResponse': {
      const { apiId, routeId, routeResponseId } = call.params;
      await apiGateway.deleteRouteResponse(apiId, routeId, routeResponseId);
      return {};
    }
    case 'AddPermission':
      return { resource: await lambda.addPermission(call.params) };
    case 'RemovePermission': {
      const { functionName, qualifier, statementId } = call.params;
      return { resource: await lambda.removePermission(functionName, qualifier, statementId) };
    }
    case 'CreateDeployment': {
      const { apiId, stageName, description } = call.params;
      return { createdId: (await apiGateway.createDeployment(apiId, stageName, description)).deploymentId };
    }
    default:
      // A new operation must be taught here (the compiler says so), never skipped as if it had succeeded.
      return unreachable(call);
  }
}

function unreachable(call: never): never {
  throw new Error(`The plan executor cannot run ${String((call as { operation?: unknown }).operation)}`);
}
