// A typed client of Gatewire's REST API: openapi-fetch over the types generated from
// openapi/openapi.json, so a call's path, parameters, body and answer are checked by tsc against
// the document the service serves.
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './openapi-types.js';

export type GatewireClient = Client<paths>;

export interface GatewireClientOptions {
  /** Where Gatewire answers, with any prefix in front of `/v1` (a stage behind API Gateway). */
  baseUrl: string;
  /** Sent as `x-api-key` on every request. */
  apiKey: string;
  /** Another fetch (tests, proxies); the global one by default. */
  fetch?: (request: Request) => Promise<Response>;
}

export function createGatewireClient(options: GatewireClientOptions): GatewireClient {
  return createClient<paths>({
    // openapi-fetch joins baseUrl and path as strings: a trailing slash would give `//v1`.
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { 'x-api-key': options.apiKey },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
