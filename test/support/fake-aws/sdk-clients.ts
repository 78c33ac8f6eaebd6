// Real SDK v3 clients pointed at a fake, with dummy credentials and no retries unless asked, so a
// test sees each fault exactly as AWS would send it.
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { FakeAws } from './index.js';

export interface FakeClientOptions {
  maxAttempts?: number;
  /** The signing region: which of the fake's regions the calls land in (default the fake's own). */
  region?: string;
  /** e.g. an assumed role's: the calls land in that role's account (default the fake's own account). */
  credentials?: AwsCredentialIdentity;
}

function clientConfig(fake: FakeAws, options: FakeClientOptions) {
  return {
    region: options.region ?? fake.region,
    endpoint: fake.url,
    credentials: options.credentials ?? { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: options.maxAttempts ?? 1,
  };
}

export function apiGatewayClientFor(fake: FakeAws, options: FakeClientOptions = {}): ApiGatewayV2Client {
  return new ApiGatewayV2Client(clientConfig(fake, options));
}

export function lambdaClientFor(fake: FakeAws, options: FakeClientOptions = {}): LambdaClient {
  return new LambdaClient(clientConfig(fake, options));
}
