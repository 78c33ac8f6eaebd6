// The intent form (DESIGN §2): the desired backend of one route, as the console offers it.
import * as Type from 'typebox';
import type { Static } from 'typebox';
import type { RouteIntegrationIntent } from '../domain/intent.js';
import {
  ArnField,
  ContentHandlingField,
  DescriptionField,
  MethodField,
  PassthroughField,
  RequestParametersField,
  RequestTemplatesField,
  ResponseTemplatesField,
  TemplateSelectionExpressionField,
  TimeoutField,
  HttpUrlField,
} from './fields.js';

const LambdaBackend = Type.Object(
  {
    type: Type.Literal('lambda'),
    function: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'Function name, `name:alias`, `name:version`, or function ARN (this or another account).',
    }),
    proxy: Type.Optional(Type.Boolean({ description: 'Lambda proxy integration (default true).' })),
    invokeWithCallerCredentials: Type.Optional(Type.Boolean()),
    executionRoleArn: Type.Optional(ArnField),
  },
  { additionalProperties: false, title: 'Lambda function' },
);

const HttpBackend = Type.Object(
  {
    type: Type.Literal('http'),
    url: HttpUrlField,
    method: MethodField,
    proxy: Type.Optional(Type.Boolean({ description: 'HTTP proxy integration (default true).' })),
  },
  { additionalProperties: false, title: 'HTTP endpoint' },
);

const MockBackend = Type.Object({ type: Type.Literal('mock') }, { additionalProperties: false, title: 'Mock' });

const AwsServiceBackend = Type.Object(
  {
    type: Type.Literal('aws'),
    uri: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: '`arn:aws:apigateway:{region}:{service}:action/{Action}` or `…:path/{path}`.',
    }),
    method: MethodField,
    executionRoleArn: Type.Optional(ArnField),
    invokeWithCallerCredentials: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, title: 'AWS service' },
);

const VpcLinkBackend = Type.Object(
  {
    type: Type.Literal('vpcLink'),
    vpcLinkId: Type.String({
      minLength: 1,
      maxLength: 1024,
      description: 'A REST API (v1) VPC link id, or `${stageVariables.vpcLinkId}`.',
    }),
    url: HttpUrlField,
    method: MethodField,
    proxy: Type.Optional(Type.Boolean({ description: 'HTTP proxy integration (default true).' })),
  },
  { additionalProperties: false, title: 'VPC link' },
);

// oneOf + discriminator: Ajv reports only the errors of the branch `type` names, instead of
// every branch's errors at once.
const Backend = Type.Unsafe<RouteIntegrationIntent['backend']>({
  type: 'object',
  oneOf: [LambdaBackend, HttpBackend, MockBackend, AwsServiceBackend, VpcLinkBackend],
  discriminator: { propertyName: 'type' },
  required: ['type'],
  description: 'The backend, as the console offers it: lambda, http, mock, aws or vpcLink.',
});

const ResponseIntent = Type.Object(
  {
    responseTemplates: Type.Optional(ResponseTemplatesField),
    templateSelectionExpression: Type.Optional(TemplateSelectionExpressionField),
    contentHandlingStrategy: Type.Optional(ContentHandlingField),
  },
  { additionalProperties: false },
);

export const RouteIntegrationIntentSchema = Type.Object(
  {
    backend: Backend,
    timeoutInMillis: Type.Optional(TimeoutField),
    requestTemplates: Type.Optional(RequestTemplatesField),
    templateSelectionExpression: Type.Optional(TemplateSelectionExpressionField),
    passthroughBehavior: Type.Optional(PassthroughField),
    contentHandlingStrategy: Type.Optional(ContentHandlingField),
    requestParameters: Type.Optional(RequestParametersField),
    description: Type.Optional(DescriptionField),
    responses: Type.Optional(
      Type.Record(Type.String({ maxLength: 256 }), ResponseIntent, {
        maxProperties: 32,
        propertyNames: { minLength: 1, maxLength: 256 },
        description: 'Integration responses keyed by response key: `$default`, `/2\\d\\d/`, …',
      }),
    ),
    returnResponse: Type.Optional(
      Type.Boolean({
        description:
          'Two-way route: true sets the route response selection expression to `$default` and keeps a `$default` route response; false removes both; absent leaves them alone.',
      }),
    ),
  },
  { $id: 'RouteIntegrationIntent', title: 'RouteIntegrationIntent', additionalProperties: false },
);

// The schema and the domain type describe the same shape; this line fails to compile if they drift.
export const intentSchemaMatchesDomain: Static<typeof RouteIntegrationIntentSchema> extends RouteIntegrationIntent
  ? true
  : never = true;
