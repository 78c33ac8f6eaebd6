// Real SDK v3 clients pointed at a fake, with dummy credentials and no retries unless asked, so a
// test sees each fault exactly as AWS would send it.
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { FakeAws } from './index.js';

export interface FakeClientOptions {
  maxAttempts?: number;
}

function clientConfig(fake: FakeAws, options: FakeClientOptions) {
  return {
    region: fake.region,
    endpoint: fake.url,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: options.maxAttempts ?? 1,
  };
}

export function apiGatewayClientFor(fake: FakeAws, options: FakeClientOptions = {}): ApiGatewayV2Client {
  return new ApiGatewayV2Client(clientConfig(fake, options));
}

export function lambdaClientFor(fake: FakeAws, options: FakeClientOptions = {}): LambdaClient {
  return new LambdaClient(clientConfig(fake, options));
}
