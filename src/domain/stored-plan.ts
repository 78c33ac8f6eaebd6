// A plan read back from an audit record (DESIGN §5): the JSON the pending record stored, checked
// against the plan's union before another instance runs or undoes it. What was stored by this
// code reads back as it was written; a step this version cannot run (an operation it does not
// know, a compensation that does not undo its step, an id parameter missing) is refused with the
// step named, never run as if it were something else. Pure: a record in, steps out.
import type { AuditRecord } from './audit.js';
import { COMPENSATION_OF, isAwsOperation, type AwsOperation, type ParamsOf, type PlanStep } from './plan.js';

/** The parameters each operation cannot go without (ids, keys): every other field is optional. */
const REQUIRED_PARAMS: { readonly [O in AwsOperation]: readonly (keyof ParamsOf[O] & string)[] } = {
  CreateRoute: ['apiId', 'routeKey'],
  UpdateRoute: ['apiId', 'routeId'],
  DeleteRoute: ['apiId', 'routeId'],
  CreateIntegration: ['apiId', 'integrationType'],
  UpdateIntegration: ['apiId', 'integrationId'],
  DeleteIntegration: ['apiId', 'integrationId'],
  CreateIntegrationResponse: ['apiId', 'integrationId', 'integrationResponseKey'],
  UpdateIntegrationResponse: ['apiId', 'integrationId', 'integrationResponseId'],
  DeleteIntegrationResponse: ['apiId', 'integrationId', 'integrationResponseId'],
  CreateRouteResponse: ['apiId', 'routeId', 'routeResponseKey'],
  DeleteRouteResponse: ['apiId', 'routeId', 'routeResponseId'],
  AddPermission: ['functionName', 'statementId', 'action', 'principal'],
  RemovePermission: ['functionName', 'statementId'],
  CreateDeployment: ['apiId', 'stageName', 'description'],
};

/** A stored plan this version cannot read; `message` names the step and what is wrong with it. */
export class StoredPlanError extends Error {
  override readonly name = 'StoredPlanError';
}

/** The plan a record stored; none (a record without a plan) reads as an empty plan. */
export function planOfRecord(record: Pick<AuditRecord, 'id' | 'plan'>): PlanStep[] {
  const { plan } = record;
  if (plan === null || plan === undefined) return [];
  if (!Array.isArray(plan)) throw new StoredPlanError(`The plan of record ${record.id} is not a list of steps`);
  return plan.map((value: unknown, index) => readStep(value, `record ${record.id}, step ${index}`));
}

function readStep(value: unknown, where: string): PlanStep {
  if (!isObject(value)) throw new StoredPlanError(`${where}: not an object`);
  const { id, description, compensation } = value;
  if (typeof id !== 'string' || id === '') throw new StoredPlanError(`${where}: no step id`);
  const at = `${where} (${id})`;
  if (typeof description !== 'string') throw new StoredPlanError(`${at}: no description`);
  const operation = readCall(value, at);
  if (compensation !== undefined) {
    const undo = readCall(compensation, `${at}, its compensation`);
    if (COMPENSATION_OF[operation] !== undo) {
      throw new StoredPlanError(`${at}: ${undo} does not undo ${operation}`);
    }
  }
  // Checked above: a known operation, the id parameters it needs, and the compensation that undoes it.
  return value as PlanStep;
}

/** Checks `{ operation, params }` and returns the operation. */
function readCall(value: unknown, at: string): AwsOperation {
  if (!isObject(value)) throw new StoredPlanError(`${at}: not an object`);
  const { operation, params } = value;
  if (!isAwsOperation(operation)) {
    throw new StoredPlanError(`${at}: unknown operation ${JSON.stringify(operation)} (this version of Gatewire cannot run it)`);
  }
  if (!isObject(params)) throw new StoredPlanError(`${at}: ${operation} has no parameters`);
  const missing = REQUIRED_PARAMS[operation].filter((name) => typeof params[name] !== 'string');
  if (missing.length > 0) throw new StoredPlanError(`${at}: ${operation} lacks ${missing.join(', ')}`);
  return operation;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
