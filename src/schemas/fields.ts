// Field schemas shared by the intent form and the raw form, with AWS's documented limits
// (reference §1.1). Every string, array and map is bounded.
import * as Type from 'typebox';
import {
  CONNECTION_TYPES,
  CONTENT_HANDLING_STRATEGIES,
  INTEGRATION_TYPES,
  PASSTHROUGH_BEHAVIORS,
  TIMEOUT_MAX_MS,
  TIMEOUT_MIN_MS,
} from '../domain/model.js';
import { INTEGRATION_METHODS } from '../domain/integration-rules.js';
import { boundedMap } from './common.js';

export const IntegrationTypeField = Type.Enum([...INTEGRATION_TYPES]);
export const ConnectionTypeField = Type.Enum([...CONNECTION_TYPES]);
export const ContentHandlingField = Type.Enum([...CONTENT_HANDLING_STRATEGIES], {
  description: 'Unset passes the payload through unchanged.',
});
export const PassthroughField = Type.Enum([...PASSTHROUGH_BEHAVIORS], {
  description: 'What API Gateway does with a payload whose content type has no template. AWS default: WHEN_NO_MATCH.',
});
export const TimeoutField = Type.Integer({
  minimum: TIMEOUT_MIN_MS,
  maximum: TIMEOUT_MAX_MS,
  description: 'Integration timeout in milliseconds, 50–29000 on WebSocket APIs (default 29000).',
});
export const RequestTemplatesField = boundedMap({
  maxProperties: 32,
  maxKeyLength: 256,
  maxValueLength: 32_768,
  description: 'Mapping templates keyed by template key (a content type, or the value the template selection expression yields).',
});
export const RequestParametersField = boundedMap({
  maxProperties: 50,
  maxKeyLength: 512,
  maxValueLength: 512,
  description: '`integration.request.{header|querystring|path}.{name}` → `route.request.…`, `context.…`, `stageVariables.…` or a quoted static value.',
});
export const ResponseTemplatesField = boundedMap({ maxProperties: 32, maxKeyLength: 256, maxValueLength: 32_768 });
export const TemplateSelectionExpressionField = Type.String({ minLength: 1, maxLength: 1024 });
export const DescriptionField = Type.String({ maxLength: 1024 });
export const UriField = Type.String({ minLength: 1, maxLength: 2048 });
/**
 * An http(s) URL; stage variables may stand in its host or path (`https://${stageVariables.host}/x`).
 * The scheme is case-insensitive (RFC 3986 §3.1), as the domain rule and the raw form have it.
 */
export const HttpUrlField = Type.String({ minLength: 1, maxLength: 2048, pattern: '^[hH][tT][tT][pP][sS]?://' });
// The same list the cross-field rules check, so the schema and the domain cannot disagree.
export const MethodField = Type.Enum([...INTEGRATION_METHODS]);
export const ArnField = Type.String({ minLength: 20, maxLength: 2048 });
