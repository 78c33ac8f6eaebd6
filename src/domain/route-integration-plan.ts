// Plans the change that gives one route its desired integration (PUT …/routes/{routeKey}/integration)
// and the change that unbinds it (DELETE). Pure: the state comes in, the steps go out.
import { diffFields } from './field-diff.js';
import type {
  Integration,
  IntegrationFields,
  IntegrationResponse,
  IntegrationResponseFields,
  Route,
  RouteResponse,
} from './model.js';
import { INTEGRATION_FIELD_NAMES, integrationIdOfTarget, targetFor } from './model.js';
import { stepReference, type PlanStep } from './plan.js';

/** The fields of an integration a caller controls; AWS sets the others. */
export const COMPARED_INTEGRATION_FIELDS: readonly (keyof IntegrationFields)[] = INTEGRATION_FIELD_NAMES;

/**
 * Map fields of an integration whose keys UpdateIntegration removes in place (a key sent with "").
 * Only request parameters: AWS documents no such removal for request templates, so dropping a
 * template still replaces the integration (docs/decisions.md, "In-place edits").
 */
export const INTEGRATION_FIELDS_REMOVABLE_IN_PLACE: readonly (keyof IntegrationFields)[] = ['requestParameters'];

/** Scalar fields UpdateIntegration clears with an empty value (a description; docs/decisions.md). */
export const INTEGRATION_FIELDS_CLEARABLE_IN_PLACE: Partial<Record<keyof IntegrationFields, unknown>> = { description: '' };

/** How an integration is diffed for UpdateIntegration: what it can remove or clear in place. */
export const INTEGRATION_DIFF_OPTIONS = {
  removableInPlace: INTEGRATION_FIELDS_REMOVABLE_IN_PLACE,
  clearableInPlace: INTEGRATION_FIELDS_CLEARABLE_IN_PLACE,
};

export const COMPARED_RESPONSE_FIELDS: readonly (keyof IntegrationResponseFields)[] = [
  'responseTemplates',
  'templateSelectionExpression',
  'contentHandlingStrategy',
  'responseParameters',
];

export const TWO_WAY_SELECTION_EXPRESSION = '$default';
export const DEFAULT_ROUTE_RESPONSE_KEY = '$default';

export interface RouteState {
  apiId: string;
  routeKey: string;
  route?: Route;
  /** The integration the route targets now, with its responses. */
  integration?: Integration;
  integrationResponses: IntegrationResponse[];
  routeResponses: RouteResponse[];
  /** Other routes of the API that target the same integration. */
  otherRoutesUsingIntegration: string[];
}

export interface DesiredRouteIntegration {
  integration: IntegrationFields;
  responses: IntegrationResponseFields[];
  returnResponse?: boolean;
}

/** The ids of the steps that create the route's integration and the route (their created ids are keyed by these). */
export const NEW_INTEGRATION = 'create-integration';
export const NEW_ROUTE = 'create-route';

export function planRouteIntegration(state: RouteState, desired: DesiredRouteIntegration): PlanStep[] {
  const { apiId } = state;
  const steps: PlanStep[] = [];
  const finalSteps: PlanStep[] = [];
  const current = state.integration;
  const shared = state.otherRoutesUsingIntegration.length > 0;

  // Which integration will the route use, and must it be created?
  let integrationRef: string;
  let responsesToReconcile: IntegrationResponse[];
  const diff = current ? diffFields(current, desired.integration, COMPARED_INTEGRATION_FIELDS, INTEGRATION_DIFF_OPTIONS) : undefined;
  const typeChanges = current !== undefined && current.integrationType !== desired.integration.integrationType;
  const unchangedFields = diff !== undefined && Object.keys(diff.changed).length === 0 && !diff.needsRemoval;
  const sameResponses = current !== undefined && responsesMatch(state.integrationResponses, desired.responses);

  if (current && (unchangedFields || (!shared && !typeChanges && !diff!.needsRemoval)) && !(shared && !sameResponses)) {
    // Keep the integration: patch what differs (never a shared one: unchangedFields holds then).
    integrationRef = current.integrationId;
    responsesToReconcile = state.integrationResponses;
    if (!unchangedFields) {
      steps.push({
        id: 'update-integration',
        operation: 'UpdateIntegration',
        params: { apiId, integrationId: current.integrationId, ...diff!.changed },
        description: `Update integration ${current.integrationId}: ${Object.keys(diff!.changed).join(', ')}`,
        compensation: {
          operation: 'UpdateIntegration',
          params: { apiId, integrationId: current.integrationId, ...diff!.previous },
        },
      });
    }
  } else {
    // Create a new integration: there is none, its type changes, a field must go, or other
    // routes share the current one and must keep it as it is.
    integrationRef = stepReference(NEW_INTEGRATION);
    responsesToReconcile = [];
    steps.push({
      id: NEW_INTEGRATION,
      operation: 'CreateIntegration',
      params: { apiId, ...desired.integration },
      description: current
        ? `Create a new ${desired.integration.integrationType} integration to replace ${current.integrationId}`
        : `Create a ${desired.integration.integrationType} integration`,
      compensation: { operation: 'DeleteIntegration', params: { apiId, integrationId: integrationRef } },
    });
    if (current && !shared) {
      // Last of all: once nothing targets it. A later failure never needs it back.
      finalSteps.push({
        id: 'delete-replaced-integration',
        operation: 'DeleteIntegration',
        params: { apiId, integrationId: current.integrationId },
        description: `Delete integration ${current.integrationId}, which no route uses any more`,
      });
    }
  }

  const responseSteps = planIntegrationResponses(apiId, integrationRef, responsesToReconcile, desired.responses);
  steps.push(...responseSteps.upserts);

  // The route: create it, or point it at the integration and set two-way replies.
  const routePatch: Record<string, string> = {};
  const routePrevious: Record<string, string> = {};
  const target = targetFor(integrationRef);
  if (state.route?.target !== target) {
    routePatch.target = target;
    routePrevious.target = state.route?.target ?? '';
  }
  const wantedSelection =
    desired.returnResponse === true ? TWO_WAY_SELECTION_EXPRESSION : desired.returnResponse === false ? '' : undefined;
  const haveSelection = state.route?.routeResponseSelectionExpression ?? '';
  if (wantedSelection !== undefined && haveSelection !== wantedSelection) {
    routePatch.routeResponseSelectionExpression = wantedSelection;
    routePrevious.routeResponseSelectionExpression = haveSelection;
  }

  let routeRef: string;
  if (!state.route) {
    routeRef = stepReference(NEW_ROUTE);
    steps.push({
      id: NEW_ROUTE,
      operation: 'CreateRoute',
      params: { apiId, routeKey: state.routeKey, ...routePatch },
      description: `Create route ${state.routeKey} targeting ${target}`,
      compensation: { operation: 'DeleteRoute', params: { apiId, routeId: routeRef } },
    });
  } else {
    routeRef = state.route.routeId;
    if (Object.keys(routePatch).length > 0) {
      steps.push({
        id: 'update-route',
        operation: 'UpdateRoute',
        params: { apiId, routeId: routeRef, ...routePatch },
        description: `Point route ${state.routeKey} at ${routePatch.target ?? state.route.target}${
          routePatch.routeResponseSelectionExpression !== undefined ? ' and set its response selection expression' : ''
        }`,
        compensation: { operation: 'UpdateRoute', params: { apiId, routeId: routeRef, ...routePrevious } },
      });
    }
  }

  const defaultRouteResponse = state.routeResponses.find((r) => r.routeResponseKey === DEFAULT_ROUTE_RESPONSE_KEY);
  if (desired.returnResponse === true && !defaultRouteResponse) {
    steps.push({
      id: 'create-route-response',
      operation: 'CreateRouteResponse',
      params: { apiId, routeId: routeRef, routeResponseKey: DEFAULT_ROUTE_RESPONSE_KEY },
      description: `Add the $default route response to ${state.routeKey} (two-way)`,
      compensation: {
        operation: 'DeleteRouteResponse',
        params: { apiId, routeId: routeRef, routeResponseId: stepReference('create-route-response') },
      },
    });
  }
  if (desired.returnResponse === false && defaultRouteResponse) {
    finalSteps.unshift({
      id: 'delete-route-response',
      operation: 'DeleteRouteResponse',
      params: { apiId, routeId: routeRef, routeResponseId: defaultRouteResponse.routeResponseId },
      description: `Remove the $default route response of ${state.routeKey} (one-way)`,
      compensation: {
        operation: 'CreateRouteResponse',
        params: { apiId, routeId: routeRef, routeResponseKey: DEFAULT_ROUTE_RESPONSE_KEY },
      },
    });
  }

  return [...steps, ...responseSteps.deletions, ...finalSteps];
}

/** DELETE …/routes/{routeKey}/integration: unbind, and delete the integration if nothing else uses it. */
export function planRouteUnbind(state: RouteState): PlanStep[] {
  const { apiId, route } = state;
  if (!route?.target) return [];
  const steps: PlanStep[] = [
    {
      id: 'unbind-route',
      operation: 'UpdateRoute',
      params: { apiId, routeId: route.routeId, target: '' },
      description: `Unbind route ${state.routeKey} from ${route.target}`,
      compensation: { operation: 'UpdateRoute', params: { apiId, routeId: route.routeId, target: route.target } },
    },
  ];
  const integrationId = integrationIdOfTarget(route.target);
  if (integrationId && state.integration && state.otherRoutesUsingIntegration.length === 0) {
    steps.push({
      id: 'delete-integration',
      operation: 'DeleteIntegration',
      params: { apiId, integrationId },
      description: `Delete integration ${integrationId}, which no route uses any more`,
    });
  }
  return steps;
}

function responsesMatch(current: IntegrationResponse[], desired: IntegrationResponseFields[]): boolean {
  if (current.length !== desired.length) return false;
  return desired.every((want) => {
    const have = current.find((r) => r.integrationResponseKey === want.integrationResponseKey);
    if (!have) return false;
    const diff = diffFields(have, want, COMPARED_RESPONSE_FIELDS);
    return Object.keys(diff.changed).length === 0 && !diff.needsRemoval;
  });
}

/**
 * Integration responses: create the missing, update the changed, delete the ones no longer
 * wanted (deletions run late, with a compensation that recreates them).
 */
export function planIntegrationResponses(
  apiId: string,
  integrationRef: string,
  current: IntegrationResponse[],
  desired: IntegrationResponseFields[],
): { upserts: PlanStep[]; deletions: PlanStep[] } {
  const upserts: PlanStep[] = [];
  const deletions: PlanStep[] = [];
  desired.forEach((want, index) => {
    const have = current.find((r) => r.integrationResponseKey === want.integrationResponseKey);
    const key = want.integrationResponseKey;
    if (have) {
      const diff = diffFields(have, want, COMPARED_RESPONSE_FIELDS);
      if (Object.keys(diff.changed).length === 0 && !diff.needsRemoval) return;
      if (!diff.needsRemoval) {
        upserts.push({
          id: `update-response-${index}`,
          operation: 'UpdateIntegrationResponse',
          params: { apiId, integrationId: integrationRef, integrationResponseId: have.integrationResponseId, ...diff.changed },
          description: `Update integration response ${key}`,
          compensation: {
            operation: 'UpdateIntegrationResponse',
            params: { apiId, integrationId: integrationRef, integrationResponseId: have.integrationResponseId, ...diff.previous },
          },
        });
        return;
      }
      deletions.push(deleteResponseStep(apiId, integrationRef, have, `replace-response-${index}`));
    }
    const createId = `create-response-${index}`;
    const create: PlanStep = {
      id: createId,
      operation: 'CreateIntegrationResponse',
      params: { apiId, integrationId: integrationRef, ...want },
      description: `Create integration response ${key}`,
      compensation: {
        operation: 'DeleteIntegrationResponse',
        params: { apiId, integrationId: integrationRef, integrationResponseId: stepReference(createId) },
      },
    };
    // A replaced response must be gone before its key can be created again.
    (have ? deletions : upserts).push(create);
  });
  current
    .filter((have) => !desired.some((want) => want.integrationResponseKey === have.integrationResponseKey))
    .forEach((have, index) => deletions.push(deleteResponseStep(apiId, integrationRef, have, `delete-response-${index}`)));
  return { upserts, deletions };
}

function deleteResponseStep(apiId: string, integrationRef: string, have: IntegrationResponse, id: string): PlanStep {
  const { integrationResponseId, ...fields } = have;
  return {
    id,
    operation: 'DeleteIntegrationResponse',
    params: { apiId, integrationId: integrationRef, integrationResponseId },
    description: `Delete integration response ${have.integrationResponseKey}`,
    compensation: { operation: 'CreateIntegrationResponse', params: { apiId, integrationId: integrationRef, ...fields } },
  };
}
