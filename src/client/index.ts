// The package's client (`import { createGatewireClient } from 'gatewire/client'`): for the CLI
// and for internal tools written in TypeScript. Nothing here imports the server.
export { createGatewireClient, type GatewireClient, type GatewireClientOptions } from './create-client.js';
export { changeIdOfLocation, followChange, isAccepted, type Change, type FollowOptions, type Problem } from './follow-change.js';
export type { components, operations, paths } from './openapi-types.js';

import type { components } from './openapi-types.js';

type Schemas = components['schemas'];
export type BulkApplyRequest = Schemas['BulkApplyRequest'];
export type BulkApplyChange = Schemas['BulkApplyChange'];
export type PlanStep = Schemas['PlanStep'];
export type DriftReport = Schemas['DriftReport'];
export type AuditPage = Schemas['AuditPage'];
export type AuditRecord = Schemas['AuditRecord'];
export type RouteIntegration = Schemas['RouteIntegration'];
