// The intent form: the desired backend of one WebSocket route, as the console offers it.
// `intentToIntegration` (in intent-to-integration.ts) turns it into the raw wire form.
import type { ContentHandlingStrategy, PassthroughBehavior } from './model.js';

export interface LambdaBackend {
  type: 'lambda';
  /** `name`, `name:alias`, `name:version`, or a function ARN (any account). */
  function: string;
  /** Lambda proxy (AWS_PROXY) when true or absent; Lambda custom (AWS) when false. */
  proxy?: boolean;
  /** API Gateway invokes the function with the caller's credentials (`arn:aws:iam::*:user/*`). */
  invokeWithCallerCredentials?: boolean;
  /** A role API Gateway assumes to invoke the function. */
  executionRoleArn?: string;
}

export interface HttpBackend {
  type: 'http';
  url: string;
  method: string;
  /** HTTP_PROXY when true or absent; HTTP (with templates) when false. */
  proxy?: boolean;
}

export interface MockBackend {
  type: 'mock';
}

export interface AwsServiceBackend {
  type: 'aws';
  /** `arn:aws:apigateway:{region}:{service}:{action|path}/...` */
  uri: string;
  method: string;
  executionRoleArn?: string;
  invokeWithCallerCredentials?: boolean;
}

export interface VpcLinkBackend {
  type: 'vpcLink';
  /** A REST API (v1) VPC link id, or `${stageVariables.name}`. */
  vpcLinkId: string;
  url: string;
  method: string;
  proxy?: boolean;
}

export type Backend = LambdaBackend | HttpBackend | MockBackend | AwsServiceBackend | VpcLinkBackend;
export type BackendType = Backend['type'];

export interface ResponseIntent {
  responseTemplates?: Record<string, string>;
  templateSelectionExpression?: string;
  contentHandlingStrategy?: ContentHandlingStrategy;
}

export interface RouteIntegrationIntent {
  backend: Backend;
  timeoutInMillis?: number;
  requestTemplates?: Record<string, string>;
  templateSelectionExpression?: string;
  passthroughBehavior?: PassthroughBehavior;
  contentHandlingStrategy?: ContentHandlingStrategy;
  requestParameters?: Record<string, string>;
  description?: string;
  /** Integration responses keyed by integration response key (`$default`, `/2\d\d/`, …). */
  responses?: Record<string, ResponseIntent>;
  /**
   * Two-way route: true sets the route response selection expression to `$default` and keeps a
   * `$default` route response; false removes both; absent leaves the route's setting alone.
   */
  returnResponse?: boolean;
}
