// Every named ($id'd) schema, registered once with app.addSchema: the single source of
// components/schemas in the OpenAPI document. A schema referenced by ref() must be listed here.
import { AuditPage, AuditRecord } from './audit.js';
import { TargetStatus } from './targets.js';
import { BulkApplyChange, BulkApplyRequest } from './bulk.js';
import { Change, JournalEntry } from './change.js';
import { Problem } from './common.js';
import { DriftReport, FleetDriftSummary } from './drift.js';
import { PermissionReconcileResult, PermissionReport } from './permission.js';
import { Integration, IntegrationCreate, IntegrationPatch } from './integration.js';
import { IntegrationResponse, IntegrationResponseInput } from './integration-response.js';
import { RouteIntegrationIntentSchema } from './intent.js';
import { ChangeSummary, Deployment, IntegrationChange, IntegrationResponseChange, PlanStep, RouteIntegrationChange } from './plan.js';
import { Route, RouteIntegration, RouteResponse, RouteSummary, WebSocketApi } from './resources.js';

export const COMPONENT_SCHEMAS = [
  Problem,
  WebSocketApi,
  Route,
  RouteSummary,
  RouteResponse,
  Integration,
  IntegrationCreate,
  IntegrationPatch,
  IntegrationResponse,
  IntegrationResponseInput,
  RouteIntegrationIntentSchema,
  RouteIntegration,
  PlanStep,
  Deployment,
  ChangeSummary,
  RouteIntegrationChange,
  BulkApplyRequest,
  BulkApplyChange,
  IntegrationChange,
  IntegrationResponseChange,
  JournalEntry,
  Change,
  AuditRecord,
  AuditPage,
  PermissionReport,
  PermissionReconcileResult,
  DriftReport,
  FleetDriftSummary,
  TargetStatus,
];
