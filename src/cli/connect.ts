// The typed client for this run, from GATEWIRE_URL and GATEWIRE_API_KEY.
import { createGatewireClient, type GatewireClient } from '../client/index.js';
import { connectionFromEnv } from './connection.js';
import type { CliIo } from './io.js';

export function connect(io: CliIo): GatewireClient {
  return createGatewireClient(connectionFromEnv(io.env));
}
