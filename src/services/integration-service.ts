// The raw form: integrations and integration responses in AWS's wire names, through the same
// change path as the intent form.
import { conflict, notFound, validationError } from '../domain/errors.js';
import { integrationEtag, integrationResponseEtag } from '../domain/etag.js';
import { validateIntegrationFields, validateIntegrationResponseKey } from '../domain/integration-rules.js';
import { diffFields } from '../domain/field-diff.js';
import { integrationIdOfTarget, type Integration, type IntegrationFields, type IntegrationResponse, type IntegrationResponseFields } from '../domain/model.js';
import { stepReference, type PlanStep } from '../domain/plan.js';
import {
  COMPARED_INTEGRATION_FIELDS,
  INTEGRATION_DIFF_OPTIONS,
  NEW_INTEGRATION,
  planIntegrationResponses,
} from '../domain/route-integration-plan.js';
import type { ChangeContext, ChangeRunner } from './change-runner.js';
import { rawPaths, type Guardrails } from './guardrails.js';
import { answer, changeSummary } from './change-presenter.js';
import type { ApiGatewayPort } from './ports.js';
import { readApiSnapshot, type ApiSnapshot } from './route-state.js';

export interface IntegrationServiceDeps {
  apiGateway: ApiGatewayPort;
  runChange: ChangeRunner;
  /** Who may wire what (DESIGN §4a), checked before the change writes anything. */
  guardrails: Guardrails;
}

interface IntegrationState {
  snapshot: ApiSnapshot;
  integration: Integration;
  responses: IntegrationResponse[];
}

export function createIntegrationService({ apiGateway, runChange, guardrails }: IntegrationServiceDeps) {
  /** The integration with its responses, or undefined when the API has no such integration. */
  async function findIntegration(apiId: string, integrationId: string): Promise<IntegrationState | undefined> {
    const snapshot = await readApiSnapshot(apiGateway, apiId);
    const integration = snapshot.integrations.find((candidate) => candidate.integrationId === integrationId);
    if (!integration) return undefined;
    const responses = await apiGateway.listIntegrationResponses(apiId, integrationId);
    return { snapshot, integration, responses };
  }

  async function readIntegration(apiId: string, integrationId: string): Promise<IntegrationState> {
    const state = await findIntegration(apiId, integrationId);
    if (!state) throw notFound(`Integration ${integrationId} does not exist in API ${apiId}`);
    return state;
  }

  function routesUsing(snapshot: ApiSnapshot, integrationId: string): string[] {
    return snapshot.routes.filter((route) => integrationIdOfTarget(route.target) === integrationId).map((route) => route.routeKey);
  }

  /** Every operation on a response checks its key: a DELETE of `2xx` must not report "unchanged". */
  function checkResponseKey(responseKey: string): void {
    const keyProblem = validateIntegrationResponseKey(responseKey);
    if (keyProblem) throw validationError([{ path: '/responseKey', message: keyProblem }]);
  }

  function checkFields(fields: IntegrationFields): void {
    const violations = validateIntegrationFields(fields);
    if (violations.length > 0) throw validationError(violations);
  }

  return {
    async list(apiId: string): Promise<Integration[]> {
      return (await readApiSnapshot(apiGateway, apiId)).integrations;
    },

    async get(apiId: string, integrationId: string) {
      const { integration, responses, snapshot } = await readIntegration(apiId, integrationId);
      return { integration, responses, routes: routesUsing(snapshot, integrationId), etag: integrationEtag({ integration, responses }) };
    },

    async create(apiId: string, fields: IntegrationFields, context: ChangeContext) {
      checkFields(fields);
      const guardrailPolicy = await guardrails.check(apiId, context, [{ integration: fields, pathOf: rawPaths }]);
      // The new integration's id exists only once the plan has run: the record's "after" is the
      // integration as AWS holds it, found by the id the create step made; "before" is null.
      const createSteps = (): PlanStep[] => [
        {
          id: NEW_INTEGRATION,
          operation: 'CreateIntegration',
          params: { apiId, ...fields },
          description: `Create a ${fields.integrationType} integration`,
          compensation: {
            operation: 'DeleteIntegration',
            params: { apiId, integrationId: stepReference(NEW_INTEGRATION) },
          },
        },
      ];
      return runChange(
        {
          action: 'integration.create',
          apiId,
          request: fields,
          read: async () => ({ snapshot: await readApiSnapshot(apiGateway, apiId) }),
          describe: (state, createdIds) => {
            const id = createdIds.get(NEW_INTEGRATION);
            return id === undefined ? null : (state.snapshot.integrations.find((candidate) => candidate.integrationId === id) ?? null);
          },
          plan: createSteps,
          // The runner's permission stage: the statements of the functions the steps touch.
          permissions: { api: (state) => state.snapshot },
          guardrailPolicy,
          integrationIdOf: (_state, createdIds) => createdIds.get(NEW_INTEGRATION),
          knownIntegrationIds: (state) => state.snapshot.integrations.map((integration) => integration.integrationId),
          present(result) {
            const id = result.createdIds.get(NEW_INTEGRATION);
            const integration = result.after.snapshot.integrations.find((candidate) => candidate.integrationId === id);
            // A POST always creates (If-None-Match is moot): the new integration has no responses yet.
            const etag = integration ? integrationEtag({ integration, responses: [] }) : undefined;
            return answer(
              { ...changeSummary(result), ...(integration ? { integration } : {}) },
              { status: result.outcome === 'applied' ? 201 : 200, etag },
            );
          },
        },
        context,
      );
    },

    async update(apiId: string, integrationId: string, patch: Partial<IntegrationFields>, context: ChangeContext) {
      // What the patch names is checked before any AWS call; the whole integration once it is read.
      const guardrailPolicy = await guardrails.check(apiId, context, [{ integration: patch, pathOf: rawPaths }]);
      const updateSteps = (state: IntegrationState): PlanStep[] => {
        // Cross-field rules apply to the integration as it will be, not to the patch alone.
        checkFields({ ...state.integration, ...patch });
        const diff = diffFields(state.integration, { ...state.integration, ...patch }, COMPARED_INTEGRATION_FIELDS, INTEGRATION_DIFF_OPTIONS);
        if (Object.keys(diff.changed).length === 0) return [];
        return [
          {
            id: 'update-integration',
            operation: 'UpdateIntegration',
            params: { apiId, integrationId, ...diff.changed },
            description: `Update integration ${integrationId}: ${Object.keys(diff.changed).join(', ')}`,
            compensation: { operation: 'UpdateIntegration', params: { apiId, integrationId, ...diff.previous } },
          },
        ];
      };
      return runChange(
        {
          action: 'integration.update',
          apiId,
          guardrailPolicy,
          request: patch,
          read: async () => {
            const state = await readIntegration(apiId, integrationId);
            // The integration as it will be: a patch of the timeout alone may not keep a role the policy forbids.
            await guardrails.check(apiId, context, [{ integration: { ...state.integration, ...patch }, pathOf: rawPaths }]);
            return state;
          },
          describe: (state) => state.integration,
          plan: updateSteps,
          permissions: { api: (state) => state.snapshot },
          integrationIdOf: () => integrationId,
          etagOf: (state) => integrationEtag(state),
          present: (result) => answer({ ...changeSummary(result), integration: result.after.integration }, { etag: result.etag }),
        },
        context,
      );
    },

    async remove(apiId: string, integrationId: string, context: ChangeContext) {
      const deleteSteps = (state: IntegrationState | undefined): PlanStep[] => {
        if (!state) return [];
        const users = routesUsing(state.snapshot, integrationId);
        if (users.length > 0) {
          throw conflict(`Integration ${integrationId} is still the target of route(s) ${users.join(', ')}; unbind them first`);
        }
        return [
          {
            id: 'delete-integration',
            operation: 'DeleteIntegration',
            params: { apiId, integrationId },
            description: `Delete integration ${integrationId}`,
          },
        ];
      };
      return runChange(
        {
          action: 'integration.delete',
          apiId,
          request: {},
          // Deleting what is already gone changes nothing (an idempotent DELETE).
          read: () => findIntegration(apiId, integrationId),
          describe: (state) => state?.integration ?? null,
          plan: deleteSteps,
          permissions: { api: (state) => state?.snapshot },
          integrationIdOf: () => integrationId,
          etagOf: (state) => (state ? integrationEtag(state) : undefined),
          present: (result) => answer(changeSummary(result)),
        },
        context,
      );
    },

    async getResponse(apiId: string, integrationId: string, responseKey: string): Promise<IntegrationResponse & { etag: string }> {
      checkResponseKey(responseKey);
      const { responses } = await readIntegration(apiId, integrationId);
      const response = responses.find((candidate) => candidate.integrationResponseKey === responseKey);
      if (!response) throw notFound(`Integration ${integrationId} has no response ${responseKey}`);
      return { ...response, etag: integrationResponseEtag(response) };
    },

    async putResponse(
      apiId: string,
      integrationId: string,
      responseKey: string,
      fields: Omit<IntegrationResponseFields, 'integrationResponseKey'>,
      context: ChangeContext,
    ) {
      checkResponseKey(responseKey);
      const desired: IntegrationResponseFields = { integrationResponseKey: responseKey, ...fields };
      return runChange(
        {
          action: 'integration-response.put',
          apiId,
          request: desired,
          read: () => readIntegration(apiId, integrationId),
          describe: (state) => state.responses.find((r) => r.integrationResponseKey === responseKey) ?? null,
          etagOf: (state) => responseEtag(state.responses, responseKey),
          plan: (state) => {
            const others = state.responses.filter((r) => r.integrationResponseKey !== responseKey);
            const { upserts, deletions } = planIntegrationResponses(apiId, integrationId, state.responses, [...others, desired]);
            return [...upserts, ...deletions];
          },
          integrationIdOf: () => integrationId,
          present(result) {
            const response = result.after.responses.find((r) => r.integrationResponseKey === responseKey);
            return answer({ ...changeSummary(result), ...(response ? { integrationResponse: response } : {}) }, { etag: result.etag });
          },
        },
        context,
      );
    },

    async removeResponse(apiId: string, integrationId: string, responseKey: string, context: ChangeContext) {
      checkResponseKey(responseKey);
      return runChange(
        {
          action: 'integration-response.delete',
          apiId,
          request: { responseKey },
          read: () => readIntegration(apiId, integrationId),
          describe: (state) => state.responses.find((r) => r.integrationResponseKey === responseKey) ?? null,
          etagOf: (state) => responseEtag(state.responses, responseKey),
          plan: (state) => {
            const keep = state.responses.filter((r) => r.integrationResponseKey !== responseKey);
            return planIntegrationResponses(apiId, integrationId, state.responses, keep).deletions;
          },
          integrationIdOf: () => integrationId,
          present: (result) => answer(changeSummary(result)),
        },
        context,
      );
    },
  };
}

/** The entity tag of the response with this key; undefined while there is none. */
function responseEtag(responses: IntegrationResponse[], responseKey: string): string | undefined {
  const response = responses.find((candidate) => candidate.integrationResponseKey === responseKey);
  return response ? integrationResponseEtag(response) : undefined;
}

export type IntegrationService = ReturnType<typeof createIntegrationService>;
