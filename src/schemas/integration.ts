// The raw form: every field API Gateway accepts for a WebSocket integration, in AWS's wire names.
import * as Type from 'typebox';
import {
  ArnField,
  ConnectionTypeField,
  ContentHandlingField,
  DescriptionField,
  IntegrationTypeField,
  PassthroughField,
  RequestParametersField,
  RequestTemplatesField,
  TemplateSelectionExpressionField,
  TimeoutField,
  UriField,
} from './fields.js';
import { INTEGRATION_EXAMPLE } from './examples.js';

const settableFields = {
  integrationUri: Type.Optional(UriField),
  integrationMethod: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  connectionType: Type.Optional(ConnectionTypeField),
  connectionId: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  contentHandlingStrategy: Type.Optional(ContentHandlingField),
  credentialsArn: Type.Optional(ArnField),
  description: Type.Optional(DescriptionField),
  passthroughBehavior: Type.Optional(PassthroughField),
  payloadFormatVersion: Type.Optional(Type.Literal('1.0', { description: 'WebSocket APIs use 1.0.' })),
  requestParameters: Type.Optional(RequestParametersField),
  requestTemplates: Type.Optional(RequestTemplatesField),
  templateSelectionExpression: Type.Optional(TemplateSelectionExpressionField),
  timeoutInMillis: Type.Optional(TimeoutField),
};

export const IntegrationCreate = Type.Object(
  { integrationType: IntegrationTypeField, ...settableFields },
  {
    $id: 'IntegrationCreate',
    title: 'IntegrationCreate',
    additionalProperties: false,
    description: 'CreateIntegration for a WebSocket API, in AWS wire names.',
  },
);

export const IntegrationPatch = Type.Object(
  { integrationType: Type.Optional(IntegrationTypeField), ...settableFields },
  {
    $id: 'IntegrationPatch',
    title: 'IntegrationPatch',
    additionalProperties: false,
    minProperties: 1,
    description: 'UpdateIntegration: the fields to change; omitted fields keep their value.',
  },
);

export const Integration = Type.Object(
  {
    integrationId: Type.String(),
    integrationType: IntegrationTypeField,
    ...settableFields,
    // What AWS holds may predate Gatewire's rules, so the output form is looser than the input.
    payloadFormatVersion: Type.Optional(Type.String()),
    integrationResponseSelectionExpression: Type.Optional(Type.String()),
    apiGatewayManaged: Type.Optional(Type.Boolean()),
  },
  { $id: 'Integration', title: 'Integration', examples: [INTEGRATION_EXAMPLE] },
);

export const IntegrationList = Type.Object({ items: Type.Array(Integration, { maxItems: 1000 }) });
