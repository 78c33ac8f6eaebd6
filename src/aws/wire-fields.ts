// API Gateway's SDK speaks PascalCase; Gatewire's domain and REST API use AWS's wire names
// (lowerCamel). These helpers convert the top-level keys only: map values such as request
// templates keep their keys untouched.
import { INTEGRATION_FIELD_NAMES } from '../domain/model.js';

export function toWireNames<T>(sdkShape: object, fields: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = (sdkShape as Record<string, unknown>)[pascal(field)];
    if (value !== undefined && value !== null) out[field] = value;
  }
  return out as T;
}

export function toSdkNames(wireShape: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(wireShape)) {
    if (value !== undefined) out[pascal(field)] = value;
  }
  return out;
}

// Every listed route and integration converts the same few field names: remember them.
const pascalNames = new Map<string, string>();

function pascal(field: string): string {
  let name = pascalNames.get(field);
  if (name === undefined) {
    name = field.charAt(0).toUpperCase() + field.slice(1);
    if (pascalNames.size < 1024) pascalNames.set(field, name);
  }
  return name;
}

export const INTEGRATION_FIELDS = [
  'integrationId',
  ...INTEGRATION_FIELD_NAMES,
  'integrationResponseSelectionExpression',
  'apiGatewayManaged',
] as const;

export const INTEGRATION_RESPONSE_FIELDS = [
  'integrationResponseId',
  'integrationResponseKey',
  'responseTemplates',
  'templateSelectionExpression',
  'contentHandlingStrategy',
  'responseParameters',
] as const;

export const ROUTE_FIELDS = [
  'routeId',
  'routeKey',
  'target',
  'routeResponseSelectionExpression',
  'authorizationType',
  'apiGatewayManaged',
] as const;

export const ROUTE_RESPONSE_FIELDS = ['routeResponseId', 'routeResponseKey'] as const;

export const API_FIELDS = [
  'apiId',
  'name',
  'protocolType',
  'routeSelectionExpression',
  'apiEndpoint',
  'description',
] as const;
