// Integration responses (WebSocket non-proxy integrations): `$default` or a /regex/ key.
import * as Type from 'typebox';
import { ContentHandlingField, ResponseTemplatesField, TemplateSelectionExpressionField } from './fields.js';
import { boundedMap } from './common.js';
import { INTEGRATION_RESPONSE_EXAMPLE } from './examples.js';

const responseFields = {
  responseTemplates: Type.Optional(ResponseTemplatesField),
  templateSelectionExpression: Type.Optional(TemplateSelectionExpressionField),
  contentHandlingStrategy: Type.Optional(ContentHandlingField),
  responseParameters: Type.Optional(boundedMap({ maxProperties: 50, maxKeyLength: 512, maxValueLength: 512 })),
};

export const IntegrationResponseInput = Type.Object(responseFields, {
  $id: 'IntegrationResponseInput',
  title: 'IntegrationResponseInput',
  additionalProperties: false,
  description: 'The desired integration response for the key in the path (created or replaced).',
});

export const IntegrationResponse = Type.Object(
  { integrationResponseId: Type.String(), integrationResponseKey: Type.String(), ...responseFields },
  { $id: 'IntegrationResponse', title: 'IntegrationResponse', examples: [INTEGRATION_RESPONSE_EXAMPLE] },
);

export const ResponseKeyParams = Type.Object({
  apiId: Type.String({ pattern: '^[a-z0-9]{1,32}$' }),
  integrationId: Type.String({ pattern: '^[a-zA-Z0-9]{1,32}$' }),
  responseKey: Type.String({
    minLength: 1,
    maxLength: 256,
    description: 'URL-encoded: `%24default`, `%2F2%5Cd%5Cd%2F` (= `/2\\d\\d/`).',
  }),
});
